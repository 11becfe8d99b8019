"""The recorder: makes one execution durable by recording it, and resumable by replaying it.

Durability by replay, as Temporal does it. A live run records every history event, every turn of
its scheduler (the time and the inputs it took in) and every result a handler returned at once,
and commits them to the store before anything visible happens: before a handler is called (a task
token is published that way too), before the scheduler waits for real time, and when the execution
ends. Purely internal steps (Pass, Choice, the bookkeeping of Map and Parallel) are committed with
the next of these, since a replay redoes them identically.

To resume, the execution is run again from the start with the recorded rows: each event the engine
produces must equal the recorded one (else ``ReplayDivergence`` names it), each turn sets the
recorded time and applies the recorded inputs, each handler call returns the recorded result
without calling the handler. Results are delivered where they were recorded, never earlier, so Map
iterations and Parallel branches interleave exactly as they did. When the rows run out the run goes
on live: a task that had been started but had no result is invoked again (at-least-once), a Wait
whose time passed meanwhile fires at once, and answers to task tokens sent while nothing ran are
taken in.
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.runtime import failures
from asl_engine.runtime.clock import TurnClock
from asl_engine.runtime.durable import inputs
from asl_engine.runtime.durable.history import RecordedHistory
from asl_engine.runtime.durable.journal import (
    Commit,
    EventRow,
    ExecutionAbandoned,
    Input,
    JournalSink,
    Key,
    MarkRow,
    OpenedToken,
    Progress,
    ReplayDivergence,
    Row,
)
from asl_engine.runtime.durable.plan import REDRIVEN, ReplayPlan, plan_replay
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.payload_meter import payload_text
from asl_engine.runtime.scheduler import Cancelled, Future, Scheduler, wait_any

if TYPE_CHECKING:
    from asl_engine.runtime.callbacks import PendingCallback
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.handlers import TaskHandler, TaskRequest
    from asl_engine.runtime.payload_meter import LazyText
    from asl_engine.runtime.run import ExecutionRun
    from asl_engine.runtime.scheduler import Task

REPLAYING = "replaying"
AWAITING_REDRIVE = "awaiting-redrive"
LIVE = "live"


@dataclass(slots=True)
class _Invocation:
    """A task invocation waiting for a result that arrives as an input."""

    future: Future[Any]
    submit: Callable[[Any], None]
    started: Callable[[str | None], None]
    """``request.worker_started``: a worker took the activity task (``ActivityStarted``)."""


class Recorder:
    """Records (or replays) one durable execution; its scheduler's ``TurnJournal``."""

    def __init__(
        self,
        sink: JournalSink,
        clock: TurnClock,
        *,
        seed: int,
        journal: list[Row] | None = None,
        pending_redrive: bool = False,
    ) -> None:
        self.sink = sink
        self.clock = clock
        self.seed = seed
        self.plan: ReplayPlan = plan_replay(journal or [], pending_redrive=pending_redrive)
        entries = self.plan.entries
        self._last_alive = max((i for i, (kind, _) in enumerate(entries) if kind != "dead"), default=-1)
        self._cursor = 0
        self.phase = REPLAYING if entries or pending_redrive else LIVE
        if self.phase == REPLAYING and self._last_alive < 0:
            self.phase = AWAITING_REDRIVE
        self.redrive_count = 0
        """Redrive boundaries passed so far (replayed or live)."""
        self.live: Future[None] = Future()
        if self.phase == LIVE:
            self.live.set_result(None)
        self._boundaries: dict[int, Future[None]] = {}
        self._rows: list[Row] = []
        self._opened: list[OpenedToken] = []
        self._closed: list[str] = []
        self._waiting: dict[Key, _Invocation] = {}
        self._replayed_submits: dict[Key, int] = {}
        self._replayed_starts: dict[Key, int] = {}
        """TaskSubmitted events replayed per invocation: not recorded again if it is invoked again."""
        self.abandoned: BaseException | None = None
        self.ended = False
        self.histories: dict[int, RecordedHistory] = {}
        self.run: ExecutionRun | None = None
        self._main: Task[None] | None = None

    # -- wiring ------------------------------------------------------------------------------------

    @property
    def replaying(self) -> bool:
        return self.phase != LIVE

    def history(self, stream: int, listeners: list[Any] | None, limit: int | None) -> RecordedHistory:
        history = RecordedHistory(self, stream, listeners, limit)
        self.histories[stream] = history
        return history

    def attach(self, run: ExecutionRun, main: Task[None]) -> None:
        """Start recording ``run``, whose main task is ``main``; held visits wait at their entry."""
        self.run = run
        self._main = main
        run.scheduler.journal = self
        if self.plan.gates:
            run.visit_gates = self.plan.gates
        main.done_future.add_done_callback(lambda future: self._finished(future.exception()))
        if not self.plan.first_segment_closed:
            run.arm_timeout(main, run.start_time)

    def random_for(self, stream: int, event_id: int, generation: int) -> random.Random:
        """The random source of one state visit: independent of every other visit, so that a redrive,
        which runs some visits again and not others, still replays the rest identically."""
        return random.Random(f"{self.seed}/{stream}/{event_id}/{generation}")

    # -- events ------------------------------------------------------------------------------------

    def event(
        self,
        history: RecordedHistory,
        event_type: str,
        previous: int,
        timestamp: float,
        name: str | None,
        key: str | None,
        text: str | LazyText | None,
        details: dict[str, Any] | None,
        visit: int,
    ) -> tuple[int, float, bool]:
        """Record (live) or check (replay) one event; returns its id, its time and whether it is live.

        A redrive happens where the replay of the attempts it follows ends: when the engine is next
        idle, or records its next event (a Map taking in an iteration that finished while the last
        attempt failed, say), whichever comes first. The event then follows ``ExecutionRedriven``,
        at its time.
        """
        details_text = _details_text(details, event_type) if details else None
        while True:
            if self.phase == LIVE:
                event_id = history.last_id + 1
                if name is not None and key == "input":
                    visit = event_id
                self._rows.append(
                    EventRow(history.stream, event_id, previous, timestamp, event_type, name, text, details_text, visit)
                )
                return event_id, timestamp, True
            if self.phase == AWAITING_REDRIVE:
                self._redrive(None)
                timestamp = self.clock.now()
                continue
            kind, row = self._expect()
            if kind == "redriven" and event_type != REDRIVEN:
                assert isinstance(row, EventRow)
                self._redrive(row)
                timestamp = self.clock.now()
                continue
            break
        if kind not in ("event", "redriven") or not isinstance(row, EventRow):
            raise self._divergence(f"the engine recorded {event_type} where the history has {_describe(row)}")
        produced = payload_text(text) if text is not None else None
        if (
            row.type != event_type
            or row.previous_id != previous
            or row.timestamp != timestamp
            or row.name != name
            or row.payload_text() != produced
            or row.details != details_text
            or row.stream != history.stream
        ):
            raise self._divergence(
                f"{_describe(row)} was recorded, but the replay produced {event_type}"
                + (f" (state '{name}')" if name else "")
                + _difference(row, event_type, previous, timestamp, name, produced, details_text)
            )
        self._consumed()
        return row.event_id, timestamp, False

    # -- turns (TurnJournal) ---------------------------------------------------------------------------

    def idle(self, scheduler: Scheduler) -> bool:
        if self.phase == LIVE:
            if self._rows or self._opened or self._closed:
                self.commit()
            return False
        if self.phase == AWAITING_REDRIVE:
            self._redrive(None)
            return True
        kind, row = self._expect()
        if kind == "turn" and isinstance(row, MarkRow):
            self.clock.set(row.data["at"])
            self._consumed()
            for item in row.data.get("inputs", ()):
                if not self.apply(item):
                    raise self._divergence(f"a recorded {item['kind']} input found nothing waiting for it")
            scheduler.fire_due_timers()
            return True
        if kind == "redriven" and isinstance(row, EventRow):
            self._redrive(row)
            return True
        raise self._divergence(f"the execution is waiting, but its history continues with {_describe(row)}")

    def live_turn(self, scheduler: Scheduler, posted: list[Any], *, force: bool = False) -> bool:
        now = self.clock.sample()
        if not posted and not force and not scheduler.timers_due():
            return False
        # The turn's row comes first: applying an input may record events (a handler's TaskSubmitted),
        # and a replay applies the turn's inputs when it reaches its row.
        applied: list[Input] = []
        self._rows.append(MarkRow("turn", {"at": now, "inputs": applied}))
        for item in posted:
            if isinstance(item, dict):
                if self.apply(item):
                    applied.append(item)
            else:
                item()  # a handler's own machinery (a worker thread finishing): it touches only the handler
        scheduler.fire_due_timers()
        return True

    # -- inputs ------------------------------------------------------------------------------------

    def apply(self, item: Input) -> bool:
        """Apply one input; False when nothing waits for it any more (it is then not recorded)."""
        run = self.run
        assert run is not None
        kind = item["kind"]
        if kind == "stop":
            if self._main is None or self._main.done():
                return False
            from asl_engine.runtime.run import ExecutionStopped

            self._main.cancel(ExecutionStopped(item.get("error"), item.get("cause")))
            return True
        key = inputs.key_of(item)
        if kind in ("outcome", "submitted", "started"):
            invocation = self._waiting.get(key)
            if invocation is None:
                return False
            if kind == "submitted":
                invocation.submit(item["output"])
                if self.phase != LIVE:
                    self._replayed_submits[key] = self._replayed_submits.get(key, 0) + 1
            elif kind == "started":
                invocation.started(item.get("worker"))
                if self.phase != LIVE:
                    self._replayed_starts[key] = self._replayed_starts.get(key, 0) + 1
            elif item["ok"]:
                invocation.future.set_result(item["result"])
            else:
                invocation.future.set_exception(inputs.outcome_error(item))
            return True
        pending = run.callbacks.pending(item["token"])
        if pending is None or pending.answer.done():
            return False
        if kind == "answer":
            if item["ok"]:
                pending.answer.set_result(item["output"])
            else:
                pending.answer.set_exception(StatesError(item.get("error"), item.get("cause")))
        else:  # heartbeat
            signal, pending.beat = pending.beat, Future()
            signal.set_result(item["at"])
        return True

    def answer(self, pending: PendingCallback, item: Input) -> None:
        """An answer to a task token from this process: kept in the store first, then posted."""
        self.sink.record_answer(pending.token, item)
        self.post(item)

    def request_stop(self, error: str | None, cause: str | None) -> None:
        self.sink.request_stop(error, cause)
        self.post(inputs.stop_input(error, cause))

    def post(self, item: Input) -> None:
        run = self.run
        assert run is not None
        run.scheduler.post(item)

    # -- task invocations --------------------------------------------------------------------------------

    async def invoke(
        self, frame: Frame, request: TaskRequest, handler: TaskHandler, scheduled_id: int, deadline: float | None
    ) -> Any:
        """Call ``handler`` (live) or deliver its recorded result (replay); raises its StatesError."""
        run = frame.run
        key = (run.stream, scheduled_id)
        if self.phase != LIVE:
            recorded = self.plan.outcomes.get(key)
            if recorded == "inline":
                return self._replay_inline(key, request)
            self._replay_launch(key, request)
            if recorded == "posted":
                return await self._await_result(run, key, request.submit, request.worker_started, deadline, None)
            await self.live  # started but never answered before the process stopped: invoke it again
        return await self._invoke_live(run, key, request, handler, deadline)

    async def _invoke_live(
        self, run: ExecutionRun, key: Key, request: TaskRequest, handler: TaskHandler, deadline: float | None
    ) -> Any:
        self.commit()  # the events that led here are durable before the handler can act on them
        submit = request.submit
        submitted: list[Any] = []

        def submit_now(output: Any) -> None:
            if self._skip_submit(key):
                return
            submitted.append(output)
            submit(output)

        started = request.worker_started

        def started_later(worker: str | None) -> None:
            # A worker took the activity task: ``ActivityStarted`` is recorded with the turn that
            # applies this input, so a replay records it at the same point.
            if not self._skip(self._replayed_starts, key):
                run.scheduler.post(inputs.started_input(key, worker))

        request.submit = submit_now
        request.worker_started = started_later
        request.environment = run.task_environment_for(key)
        try:
            try:
                outcome = handler(request)
            except StatesError as error:
                self._record_inline(key, None, error, submitted)
                raise
            except Exception as error:
                failure = StatesError(type(error).__name__, str(error))
                self._record_inline(key, None, failure, submitted)
                raise failure from error
            finally:
                request.submit = submit
            if not inspect.isawaitable(outcome):
                self._record_inline(key, outcome, None, submitted)
                return outcome
            if submitted:
                # What the handler submitted before it returned its coroutine: a replay records it again here.
                self._rows.append(MarkRow("launch", {"key": list(key), "submitted": submitted}))

            def submit_later(output: Any) -> None:
                if not self._skip_submit(key):
                    run.scheduler.post(inputs.submitted_input(key, output))

            request.submit = submit_later
            activity = run.start_activity(self._activity(run, key, outcome), f"task {request.state_name}")
            return await self._await_result(run, key, submit, started, deadline, activity)
        finally:
            request.submit = submit
            request.worker_started = started

    def _replay_launch(self, key: Key, request: TaskRequest) -> None:
        """Record again what a handler submitted before it returned its coroutine (``TaskSubmitted``)."""
        row = self._find_mark(key, "launch")
        if row is None:
            return
        for output in row.data.get("submitted", ()):
            request.submit(output)
        _, found = self._expect()
        if found is not row:
            raise self._divergence(f"the start of the task at event #{key[1]} was expected; found {_describe(found)}")
        self._consumed()
        self._replayed_submits[key] = self._replayed_submits.get(key, 0) + len(row.data.get("submitted", ()))

    def _skip_submit(self, key: Key) -> bool:
        """A handler invoked again after a crash submits again what its first call submitted: the
        history has that ``TaskSubmitted`` already, so it is not recorded twice."""
        return self._skip(self._replayed_submits, key)

    @staticmethod
    def _skip(replayed: dict[Key, int], key: Key) -> bool:
        left = replayed.get(key, 0)
        if left:
            replayed[key] = left - 1
            return True
        return False

    async def _activity(self, run: ExecutionRun, key: Key, awaitable: Any) -> None:
        """The part of a handler that waits, run beside the execution; its result comes back as an input."""
        try:
            result = await awaitable
        except Cancelled:
            raise
        except StatesError as error:
            run.scheduler.post(inputs.outcome_input(key, error=error))
        except Exception as error:
            run.scheduler.post(inputs.outcome_input(key, error=StatesError(type(error).__name__, str(error))))
        else:
            run.scheduler.post(inputs.outcome_input(key, result))

    async def _await_result(
        self,
        run: ExecutionRun,
        key: Key,
        submit: Callable[[Any], None],
        started: Callable[[str | None], None],
        deadline: float | None,
        activity: Any,
    ) -> Any:
        invocation = _Invocation(Future(), submit, started)
        self._waiting[key] = invocation
        try:
            if deadline is None:
                return await invocation.future
            if await wait_any(run.scheduler, [invocation.future], deadline) is None:
                if activity is not None:
                    activity.cancel()
                raise failures.TimeoutFailure()
            return invocation.future.result()
        except Cancelled:
            if activity is not None:
                activity.cancel()
            raise
        finally:
            self._waiting.pop(key, None)

    def _record_inline(self, key: Key, outcome: Any, error: StatesError | None, submitted: list[Any]) -> None:
        at = self.clock.sample()  # the handler took real time: what follows happens after it
        data: dict[str, Any] = {"key": list(key), "at": at, **inputs.outcome_fields(outcome, error)}
        if submitted:
            data["submitted"] = submitted
        self._rows.append(MarkRow("outcome", data))

    def _replay_inline(self, key: Key, request: TaskRequest) -> Any:
        row = self._find_outcome(key)
        for output in row.data.get("submitted", ()):
            request.submit(output)
        _, found = self._expect()
        if found is not row:
            raise self._divergence(f"the result of the task at event #{key[1]} was expected; found {_describe(found)}")
        self.clock.set(row.data["at"])
        self._consumed()
        if row.data["ok"]:
            return row.data["result"]
        raise inputs.outcome_error(row.data)

    def _find_outcome(self, key: Key) -> MarkRow:
        row = self._find_mark(key, "outcome")
        if row is None:
            raise self._divergence(f"the recorded result of the task at event #{key[1]} is not where the replay is")
        return row

    def _find_mark(self, key: Key, kind: str) -> MarkRow | None:
        """The mark row of ``kind`` for ``key`` that follows the replay's position, past the events a
        handler recorded before it (its TaskSubmitted); None when the next mark is another one."""
        entries = self.plan.entries
        for index in range(self._cursor, len(entries)):
            found, row = entries[index]
            if found == kind and isinstance(row, MarkRow):
                return row if inputs.key_of(row.data) == key else None
            if found not in ("event", "dead"):
                return None
        return None

    # -- tokens ------------------------------------------------------------------------------------------

    def token_opened(
        self, token: str, key: Key, state_name: str, timeout_at: float | None, heartbeat: float | None
    ) -> None:
        if self.phase == LIVE:
            self._opened.append(OpenedToken(token, key, state_name, self.clock.now(), timeout_at, heartbeat))

    def token_closed(self, token: str) -> None:
        if self.phase == LIVE:
            self._closed.append(token)

    # -- redrive -------------------------------------------------------------------------------------------

    async def hold(self, frame: Frame, event_id: int) -> None:
        """Hold a state visit that a redrive runs again, at its entry, until that redrive."""
        gates = frame.run.visit_gates
        boundary = gates.get((frame.run.stream, event_id)) if gates else None
        if boundary is None or self.redrive_count > boundary:
            return
        future = self._boundaries.setdefault(boundary, Future())
        await future

    def _redrive(self, row: EventRow | None) -> None:
        """An ``ExecutionRedriven`` boundary: recorded (``row``) or happening now."""
        run = self.run
        assert run is not None
        if row is None:
            self._flush_dead()
            self._go_live()
            at = self.clock.sample()
        else:
            at = row.timestamp
            self.clock.set(at)
        boundary = self.redrive_count
        self.redrive_count += 1
        run.begin_redrive(self.redrive_count, at)
        run.history.add(REDRIVEN, 0, at, {"redriveCount": self.redrive_count})
        if self._main is not None:
            run.arm_timeout(self._main, at)
        released = self._boundaries.pop(boundary, None)
        if released is not None:
            released.set_result(None)

    # -- replay cursor ---------------------------------------------------------------------------------

    def _expect(self) -> tuple[str, Row]:
        entries = self.plan.entries
        while self._cursor < len(entries):
            kind, row = entries[self._cursor]
            if kind != "dead":
                return kind, row
            self._insert_dead(row)
            self._cursor += 1
        raise self._divergence("the replay went past the end of the recorded history")

    def _insert_dead(self, row: Row) -> None:
        assert isinstance(row, EventRow)
        history = self.histories.get(row.stream)
        if history is None:
            raise self._divergence(f"{_describe(row)} belongs to an execution the replay did not start")
        history.insert(row)

    def _flush_dead(self) -> None:
        entries = self.plan.entries
        while self._cursor < len(entries) and entries[self._cursor][0] == "dead":
            self._insert_dead(entries[self._cursor][1])
            self._cursor += 1

    def _consumed(self) -> None:
        self._cursor += 1
        if self._cursor > self._last_alive:
            if self.plan.pending_redrive:
                self.phase = AWAITING_REDRIVE
            else:
                self._go_live()

    def _go_live(self) -> None:
        if self.phase == LIVE:
            return
        self.phase = LIVE
        source: Any = self.clock.source
        if source.virtual and source.now() < self.clock.now():
            source.jump_to(self.clock.now())
        self.live.set_result(None)
        for item in self.sink.pending_inputs():
            self.post(item)

    def _divergence(self, message: str) -> ReplayDivergence:
        run = self.run
        name = run.identity.execution_arn if run is not None else "the execution"
        error = ReplayDivergence(f"{name} cannot be resumed: its replay diverged from its history: {message}")
        self.abandon(error)
        return error

    # -- commits -------------------------------------------------------------------------------------

    def commit(self) -> None:
        if self.abandoned is not None or self.ended or self.phase != LIVE:
            return
        rows, self._rows = self._rows, []
        opened, self._opened = self._opened, []
        closed, self._closed = self._closed, []
        try:
            self.sink.commit(Commit(rows, self._progress(), opened, closed))
        except ExecutionAbandoned as error:
            self.abandon(error)
            raise

    def abandon(self, reason: BaseException) -> None:
        """Stop recording: nothing more is written for this execution, and its lease is given up."""
        if self.abandoned is None:
            self.abandoned = reason
            self.sink.release()

    def _progress(self) -> Progress:
        run = self.run
        assert run is not None
        output = to_json_text(run.output) if run.status == "SUCCEEDED" else None
        return Progress(run.status, output, run.error, run.cause, run.stop_time, run.redrive_count, run.redrive_time)

    def _finished(self, failure: BaseException | None) -> None:
        """The execution ended: its last events are committed (the end is visible) and the lease freed."""
        if failure is not None:
            self.abandon(failure)
            return
        if self.abandoned is None and not self.ended:
            self.commit()
            self.ended = True
            self.sink.release()


def _details_text(details: dict[str, Any], event_type: str) -> str:
    try:
        return to_json_text(details)
    except (TypeError, ValueError) as error:
        raise StatesError(
            failures.RUNTIME,
            f"The {event_type} event holds a value that is not JSON ({error}); a durable execution records "
            "only JSON values.",
        ) from None


def _describe(row: Row) -> str:
    if isinstance(row, MarkRow):
        return f"a recorded {row.kind}"
    state = f" (state '{row.name}')" if row.name else ""
    return f"event #{row.event_id} {row.type}{state}"


def _difference(
    row: EventRow,
    event_type: str,
    previous: int,
    timestamp: float,
    name: str | None,
    payload: str | None,
    details: str | None,
) -> str:
    if row.type != event_type or row.name != name:
        return ""
    if row.previous_id != previous:
        return f": previousEventId {previous} instead of {row.previous_id}"
    if row.timestamp != timestamp:
        return f": timestamp {timestamp} instead of {row.timestamp}"
    if row.payload_text() != payload:
        return f": payload {_short(payload)} instead of {_short(row.payload_text())}"
    return f": details {_short(details)} instead of {_short(row.details)}"


def _short(text: str | None) -> str:
    if text is None:
        return "none"
    return text if len(text) <= 80 else text[:77] + "..."
