"""An inline Map's iterations: started in slots, run directly or as tasks, ended with AWS's events.

Three jobs, one unit each:

* ``IterationRunner`` decides *where* an iteration runs: as a scheduler task, or (the direct path)
  on the Map's own turn when no iteration can suspend; it hands back outcomes in completion order
  and stops the iterations still running.
* ``InlineIterations`` is the Map's bookkeeping: at most ``limit`` iterations at a time, each
  ``MapIterationStarted`` linked to the event that freed its slot, ``MapIterationSucceeded`` per
  result, the results in item order.
* ``InlineIterations.fail`` and ``stop`` record how a failed or aborted Map ends its iterations
  (see docs/engine.md, "How states end in the history").
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import TYPE_CHECKING, Any, ClassVar, Final, NoReturn, cast

from asl_engine.errors import StatesError
from asl_engine.language.errors import EvaluationError, PathNotFoundError
from asl_engine.runtime.children import BranchAbort, ChildFailure, ChildGroup
from asl_engine.runtime.clock import VirtualClock
from asl_engine.runtime.frame import NO_OUTPUT, Frame, VariableScope
from asl_engine.runtime.history import History
from asl_engine.runtime.interpreter import run_child_scope, run_child_scope_directly
from asl_engine.runtime.json_text import int_text, int_texts, to_json_text
from asl_engine.runtime.limits import PAYLOAD_LIMIT_BYTES, QUICK_PAYLOAD_CHARS, data_limit_error, text_size
from asl_engine.runtime.payload_meter import LARGE_TEXT_CHARS
from asl_engine.runtime.scheduler import Cancelled
from asl_engine.runtime.states.base import evaluation_guard
from asl_engine.runtime.states.retrying import StateFailure

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompiledScope
    from asl_engine.runtime.states.map_ import MapState

INLINE_CONCURRENCY_CAP = 40

BOUNDED_INT: Final = 10**18
BOUNDED_INT_CHARS: Final = 19
"""An int item between ``-BOUNDED_INT`` and ``BOUNDED_INT`` has a text of at most this many characters
(the start of the text bound ``run_unrecorded`` carries, without writing the text)."""

UnrecordedStep = tuple[Callable[[Any, Frame], Any] | None, Any, int | None, int, Callable[[Any], str], str | None]
"""A plain state as ``InlineIterations.run_unrecorded`` reads it: ``plain_output``, ``plain_choice``,
``plain_size`` (the factor of the input's size, None when unknown, and the constant), ``plain_text``
and the next state."""

Outcome = tuple[Any, int] | ChildFailure
"""How an iteration ended: (its output, its last event id), or its failure."""


def unrecorded_steps(scope: CompiledScope) -> dict[str, UnrecordedStep]:
    """The plain states of ``scope`` (``CompiledScope.plain_steps``) as ``run_unrecorded`` reads them."""
    steps: dict[str, UnrecordedStep] = {}
    for name in scope.plain_steps:
        node = scope.states[name]
        per_input, constant = node.plain_size or (None, 0)
        steps[name] = (node.plain_output, node.plain_choice, per_input, constant, node.plain_text, node.next_state)
    return steps


class IterationRunner:
    """Runs iterations as scheduler tasks, or directly when that cannot change the history.

    When no iteration can ever suspend (the processor has only Pass, Choice, Succeed and Fail
    states) and nothing else is ready to run, the scheduler would run the started iterations one
    after another, each to its end, and only then resume the Map: the direct path does exactly that
    without creating the tasks, so the history, ids and outcomes are the same, at a third of the
    cost per iteration. As soon as something else is ready (a sibling branch, another execution on
    the scheduler, work posted from another thread), the waiting iterations become tasks and the
    task path takes over for the rest of the Map.
    """

    __slots__ = (
        "_as_task",
        "_group",
        "_inputs",
        "_label",
        "_parent",
        "_resume",
        "_scheduler",
        "_scope",
        "direct",
        "ended",
        "share_variables",
        "spare",
        "waiting",
    )

    def __init__(
        self,
        parent: Frame,
        label: str,
        scope: CompiledScope,
        inputs: list[Any],
        as_task: Callable[[int, Frame], Coroutine[Any, Any, tuple[Any, int]]],
        *,
        direct: bool,
        resume: Callable[[int, _Paused], Coroutine[Any, Any, tuple[Any, int]]],
        share_variables: bool,
    ) -> None:
        """Iterations run ``scope`` on ``inputs[index]`` in frames under ``parent`` (the Map's), reading
        its variable scope when ``share_variables``, else each in one of its own; ``as_task`` makes
        one's coroutine, ``resume`` the coroutine that goes on with one that paused when run directly."""
        self._parent = parent
        self.share_variables = share_variables
        self._resume = resume
        self._scheduler = scheduler = parent.run.scheduler
        self._group = ChildGroup(scheduler)
        self._label = label
        self._scope = scope
        self._inputs = inputs
        self._as_task = as_task
        self.direct = direct
        self.waiting: deque[tuple[int, int]] = deque()
        """Direct path: started iterations not run yet, as (index, id of its ``MapIterationStarted``)."""
        self.ended: deque[tuple[int, Outcome]] = deque()
        """Direct path: iterations that ended, in that order, not taken yet (``run_waiting`` fills it)."""
        self.spare: Frame | None = None
        """Direct path: the frame the next iteration runs in (one that ended is made fresh again rather
        than made anew; one that paused keeps it, and the next gets a new one)."""

    def launch(self, index: int, begun: int) -> None:
        """Start iteration ``index``, whose ``MapIterationStarted`` is the event ``begun``."""
        if self.direct:
            self.waiting.append((index, begun))
        else:
            self._spawn(index, begun)

    def child(self, begun: int) -> Frame:
        """A new frame for the iteration whose ``MapIterationStarted`` is the event ``begun``."""
        parent = self._parent
        variables = parent.variables if self.share_variables else VariableScope(parent.variables)
        return Frame(parent.run, variables, begun, parent)  # parent.child, written out

    def _spawn(self, index: int, begun: int) -> None:
        self._group.spawn(index, self._as_task(index, self.child(begun)), f"{self._label}#{index}")

    def adopt(self, index: int, paused: _Paused) -> None:
        """An iteration run directly paused at a checkpoint (``ExecutionRun.checkpoint``): it goes on as
        the scheduler task it would have been, paused at the same point. Paused tasks resume only once
        nothing is ready, so the other waiting iterations still run directly before it, as tasks would."""
        continuation = self._resume(index, paused)
        request = continuation.send(None)  # runs nothing: hands back the pause the iteration yielded
        self._group.adopt(index, self._scheduler.adopt(continuation, request, f"{self._label}#{index}"))

    def run_one(self, index: int, child: Frame, value: Any, state: str | None = None) -> bool:
        """Run iteration ``index`` directly in ``child`` (from ``state``, else its first state) and put how
        it ended in ``ended``; one that pauses at a checkpoint goes on as a task. True when it paused:
        the frame is then the task's, not spare."""
        try:
            outcome = run_child_scope_directly(self._scope, child, value, state)
        except ChildFailure as failure:
            self.ended.append((index, failure))
            return False
        if type(outcome) is tuple:
            self.ended.append((index, outcome))
            return False
        paused = _pause(cast("Coroutine[Any, Any, tuple[Any, int]]", outcome))
        if isinstance(paused, _Paused):
            self.adopt(index, paused)
            return True
        self.ended.append((index, paused))
        return False

    def run_waiting(self) -> None:
        """What the scheduler would do while the Map waits: run the started iterations (direct path).

        Checked before each one: work posted from another thread (a stop, a task token) hands the
        rest to the scheduler, which handles it between iterations as it always does.
        """
        waiting = self.waiting
        inputs = self._inputs
        nothing_else_ready = self._scheduler.nothing_else_ready
        child, share = self.spare, self.share_variables
        while waiting and nothing_else_ready():
            index, begun = waiting.popleft()
            if child is None:
                child = self.child(begun)
            else:  # the frame of an iteration that ended, fresh again (see ``Frame.__init__``)
                child.last_event_id = begun
                child.last_output = NO_OUTPUT
                if not share:
                    child.variables = VariableScope(self._parent.variables)
            if self.run_one(index, child, inputs[index]):
                child = None  # the paused iteration goes on in it
        self.spare = child
        if waiting:
            self.direct = False
            while waiting:
                self._spawn(*waiting.popleft())

    async def next_ended(self) -> tuple[int, Outcome]:
        """The next iteration to end, in the order they end (the direct path's first)."""
        if self.direct and not self.ended:
            self.run_waiting()
        if self.ended:
            return self.ended.popleft()
        index, task = await self._group.next_finished()
        failure = task.done_future.exception()
        if failure is None:
            return index, task.done_future.result()
        if not isinstance(failure, ChildFailure):
            raise failure
        return index, failure

    async def stop(self, reason: BaseException | None) -> list[tuple[int, ChildFailure]]:
        """Stop every iteration, and return (by index) those that failed without being taken.

        Started iterations first run as far as they would on the scheduler (to their end, when they
        cannot suspend); running tasks are then cancelled and record their own aborts.
        """
        self.run_waiting()
        unseen = [(index, outcome) for index, outcome in self.ended if isinstance(outcome, ChildFailure)]
        self.ended.clear()
        unseen += await self._group.abort_all(reason)
        return sorted(unseen, key=lambda pair: pair[0])


class InlineIterations:
    """One attempt of an inline Map: its iterations' slots, events and results."""

    unrecorded_path: ClassVar[bool] = True
    """Take ``run_unrecorded`` when nothing is recorded (``tests/runtime/test_map_unrecorded_path.py``
    turns this off to compare it with ``run_directly``)."""

    __slots__ = ("frame", "inputs", "next_index", "node", "results", "runner", "unrecorded")

    def __init__(self, node: MapState, frame: Frame, inputs: list[Any]) -> None:
        self.node = node
        self.frame = frame
        self.inputs = inputs
        self.results: list[Any] = [None] * len(inputs)
        self.next_index = 0
        # A redrive holds some iterations at their entry: then every iteration must be a task.
        run = frame.run
        direct = node.iterations_never_block and run.visit_gates is None
        history = run.history
        self.unrecorded = (
            self.unrecorded_path
            and direct
            and type(history) is History
            and not history.record
            and not history.listeners
            and type(run.clock) is VirtualClock
        )
        """The direct path with nothing recorded, nobody listening, under a ``VirtualClock``: iterations
        run in ``run_unrecorded``, which makes no rows, texts or timestamps nobody reads."""
        self.runner = IterationRunner(
            frame,
            node.name,
            node.processor,
            inputs,
            self._task,
            direct=direct,
            resume=self._resumed,
            share_variables=node.iterations_share_variables,
        )

    async def run(self, max_concurrency: int, started: int) -> list[Any]:
        """Run every iteration, at most ``max_concurrency`` (0: the cap) at a time; the outputs in
        item order, or ``StateFailure`` when one fails."""
        limit = INLINE_CONCURRENCY_CAP if max_concurrency == 0 else min(max_concurrency, INLINE_CONCURRENCY_CAP)
        frame, runner, results = self.frame, self.runner, self.results
        history, now, name = frame.run.history, frame.run.clock.now, self.node.name
        add_iteration, handover = history.add_iteration, history.add_iteration_handover
        visit = frame.entered_event_id
        total = len(results)
        while self.next_index < min(total, limit):
            self.start_next(started)
        last_event = started
        ended = runner.ended  # taken here without a coroutine per iteration
        remaining = total
        try:
            while remaining:
                if runner.direct and not ended:
                    remaining, last_event = self.run_directly(remaining, last_event)
                    if not remaining:
                        break
                index, outcome = ended.popleft() if ended else await runner.next_ended()
                remaining -= 1
                if type(outcome) is not tuple:
                    await self.fail(index, cast("ChildFailure", outcome))
                results[index], child_last = outcome
                following = self.next_index
                if following < total:  # the next iteration takes the slot (``start_next``, written out)
                    last_event, begun = handover(name, index, child_last, now(), following, now(), visit)
                    self.launch_next(begun)
                else:
                    last_event = add_iteration("MapIterationSucceeded", child_last, now(), name, index, visit)
        except Cancelled as cancelled:
            await self.stop(cancelled.reason)
            frame.run.record_aborted(frame, self.node.aborted_type, cancelled)
            raise
        frame.last_event_id = last_event
        frame.record_aside("MapStateSucceeded")
        return results

    def run_directly(self, remaining: int, last_event: int) -> tuple[int, int]:
        """The direct path's hot loop: run the started iterations (``IterationRunner.run_waiting``,
        written out), then hand each ended one's slot to the next (``run``'s loop body, written out),
        and again, in one call for the whole Map rather than a few per item.

        An iteration's plain states (``CompiledScope.plain_steps``) run in this loop, the plain branch
        of ``run_states`` written out once more with what it keeps on the frame, the run and the
        history kept in locals: a fresh iteration frame in a scope that never blocks holds no retry
        count and no task token (only Task, Map and Parallel set them); ``state_cause_id`` is read
        only by JSONata states, which are never plain; a plain step records no event, so the event
        ids, the transition count and the previous output's text are counted here and written back
        when the iteration stops or a step raises. ``run_child_scope_directly`` goes on, with
        everything as ``run_states`` would have left it, from the first state that is not plain, or
        meets a checkpoint or the history's limit (within two events), or follows a large output;
        and runs whole iterations when the history is listened to or a visit may be held. With the
        history off (and nobody listening) the plain states run here too, their rows appended to a
        list emptied before each iteration's run, their event ids counted. When the iteration that ends
        is the only one started and none waits to be handed over (MaxConcurrency 1), its slot goes
        to the next item at once, in this inner loop, as the handover after the window would do it:
        a Map run one item at a time then stays in the inner loop instead of going round the outer
        one once per item.

        Returns (iterations not taken yet, the Map's last event) as soon as ``run`` must go on: all
        taken, an iteration failed (left at the head of ``runner.ended``), one paused at a checkpoint
        (a task now), or something else became ready (the rest are tasks now).
        """
        runner, frame, results = self.runner, self.frame, self.results
        waiting, ended = runner.waiting, runner.ended
        scope, inputs = self.node.processor, self.inputs
        run = frame.run
        if self.unrecorded:
            return self.run_unrecorded(remaining, last_event)
        history, now, nothing_else_ready = run.history, run.clock.now, run.scheduler.nothing_else_ready
        add_iteration, handover = history.add_iteration, history.add_iteration_handover
        name, visit, total = self.node.name, frame.entered_event_id, len(results)
        share, child = runner.share_variables, runner.spare
        rows, limit = history.state_rows, history.limit
        unrecorded: list[Any] | None = None
        if rows is None and not history.wants_text:
            rows = unrecorded = []
        plain = scope.plain_steps if rows is not None and run.visit_gates is None else {}
        virtual = run.clock if type(run.clock) is VirtualClock else None
        """``VirtualClock.now`` returns its ``_now``: read here where ``now()`` would be called, without the call."""
        start_at = scope.start_at
        cached_int_text = int_texts.get
        succeeded: list[tuple[int, int]] = []
        """Iterations whose plain states ended them, not handed over yet, in the order they ended, as
        (index, last event id), their outputs already in ``results``: ``ended`` without an outcome
        tuple per item. Only while ``ended`` is empty; one ended behind any in ``ended`` goes there."""
        while True:
            while waiting and nothing_else_ready():  # ``run_waiting``, written out
                index, begun = waiting.popleft()
                if child is None:
                    child = runner.child(begun)
                else:  # the frame of an iteration that ended, fresh again (see ``Frame.__init__``)
                    child.last_event_id = begun
                    child.last_output = NO_OUTPUT
                    if not share:
                        child.variables = VariableScope(frame.variables)
                value = inputs[index]
                state: str | None = start_at
                if (
                    start_at in plain
                    and len(
                        text := (cached_int_text(value) or int_text(value))
                        if type(value) is int
                        else to_json_text(value)
                    )
                    < LARGE_TEXT_CHARS
                ):
                    if unrecorded is not None:
                        unrecorded.clear()
                    first_id = last_id = history.last_id
                    # Each plain state is one transition and two events: its Entered event id tells
                    # when the next checkpoint is due; stop before an Exited event would reach the limit.
                    stop_at = first_id + 1 + 2 * (run.next_checkpoint - run.transitions)
                    if limit is not None and limit - 1 < stop_at:
                        stop_at = limit - 1
                    entered_previous = None if begun == last_id else begun
                    try:
                        while state is not None:
                            event_id = last_id + 1
                            step_of = plain.get(state)
                            if step_of is None or event_id >= stop_at:
                                break
                            step, choose, write, following, entered_type, exited_type = step_of
                            child.state_name = state
                            child.entered_time = timestamp = virtual._now if virtual is not None else now()
                            child.entered_event_id = event_id
                            if step is not None:
                                try:
                                    output = step(value, child)
                                except (PathNotFoundError, EvaluationError) as error:
                                    raise evaluation_guard(child, error) from None
                                if output is value:
                                    output_text = text
                                else:
                                    output_text = (
                                        (cached_int_text(output) or int_text(output))
                                        if type(output) is int
                                        else write(output)
                                    )
                                    if len(output_text) >= LARGE_TEXT_CHARS:
                                        if (
                                            len(output_text) > QUICK_PAYLOAD_CHARS
                                            and text_size(output_text) > PAYLOAD_LIMIT_BYTES
                                        ):
                                            raise data_limit_error(state)
                                        stop_at = (
                                            0  # a large payload: the next state is ``run_states``' (the payload meter)
                                        )
                            else:
                                following, decision = choose(child, value)  # type: ignore[misc]
                                run.decisions.append(decision)
                                output, output_text = value, text
                            # The Exited event follows the Entered one (a plain step records nothing).
                            last_id = event_id + 1
                            rows += (  # type: ignore[operator]
                                entered_type,
                                entered_previous,
                                timestamp,
                                state,
                                text,
                                None,
                                exited_type,
                                None,
                                virtual._now if virtual is not None else now(),
                                state,
                                output_text,
                                None,
                            )
                            entered_previous = None
                            value = output
                            text = output_text
                            state = following
                    except BaseException as error:  # ``run_states`` and ``run_child_scope_directly``, written out
                        run.transitions += (event_id - first_id + 1) // 2  # this state's transition included
                        history.last_id = child.last_event_id = event_id
                        rows += (entered_type, entered_previous, timestamp, state, text, None)  # type: ignore[operator]
                        if not isinstance(error, StatesError):
                            raise
                        ended.append((index, ChildFailure(error, event_id, None)))  # Pass, Choice: no abort event
                        continue
                    if last_id != first_id:  # some states ran
                        run.transitions += (last_id - first_id) // 2
                        history.last_id = child.last_event_id = last_id
                    if state is None:
                        if ended:  # behind an iteration ``run_one`` ended: in the order they ended
                            ended.append((index, (value, last_id)))
                        elif succeeded or waiting or (following_index := self.next_index) >= total:
                            results[index] = value
                            succeeded.append((index, last_id))
                        else:  # the one iteration running ended and the next takes its slot now (below, written out)
                            results[index] = value
                            remaining -= 1
                            if virtual is not None:
                                succeeded_at = started_at = virtual._now
                            else:
                                succeeded_at, started_at = now(), now()
                            last_event, begun = handover(
                                name, index, last_id, succeeded_at, following_index, started_at, visit
                            )
                            self.next_index = following_index + 1
                            frame.last_event_id = begun
                            waiting.append((following_index, begun))
                        continue
                    child.last_output, child.last_output_text = value, text
                if runner.run_one(index, child, value, state):
                    child = None  # the paused iteration goes on in it
            if waiting:  # something else is ready: ``run_waiting`` makes the rest tasks
                runner.spare = child
                ended.extendleft([(index, (results[index], child_last)) for index, child_last in reversed(succeeded)])
                runner.run_waiting()
                return remaining, last_event
            while ended:  # behind those in ``succeeded``
                index, taken = ended[0]
                if type(taken) is not tuple:
                    break  # a failure: ``run`` fails the Map, after the handovers before it
                ended.popleft()
                results[index], child_last = taken
                succeeded.append((index, child_last))
            remaining -= len(succeeded)
            for index, child_last in succeeded:
                following_index = self.next_index
                if following_index < total:  # ``launch_next``, written out
                    if virtual is not None:
                        succeeded_at = virtual._now
                        started_at = virtual._now
                    else:
                        succeeded_at, started_at = now(), now()
                    last_event, begun = handover(
                        name, index, child_last, succeeded_at, following_index, started_at, visit
                    )
                    self.next_index = following_index + 1
                    frame.last_event_id = begun
                    waiting.append((following_index, begun))
                else:
                    last_event = add_iteration("MapIterationSucceeded", child_last, now(), name, index, visit)
            succeeded.clear()
            if ended or not waiting:
                break
        runner.spare = child
        return remaining, last_event

    def run_unrecorded(self, remaining: int, last_event: int) -> tuple[int, int]:
        """``run_directly`` when nothing is recorded (``unrecorded``): the same iterations, ids,
        transitions, frames, outcomes and failures, without what only the history needs.

        No rows: nothing keeps them. No texts: an output's text is made only when the bound of its
        size (``StateNode.plain_size``, carried from state to state from its input's) could reach
        ``LARGE_TEXT_CHARS``, or when a state has no bound; an exact text under it is within the
        quota, and one at or over it is checked and leaves the rest of the iteration to
        ``run_child_scope_directly``, as in ``run_directly``. The text of an iteration that goes
        on there is made when it does (its next state reads it). No timestamps but the entered time
        the context object reads (the clock is a ``VirtualClock``: a read has no effect). The
        handover of a slot counts its two events' ids (``History.add_iteration_handover`` with
        nothing recorded does only that, and the limit test; near the limit it is called).
        """
        runner, frame, results = self.runner, self.frame, self.results
        waiting, ended = runner.waiting, runner.ended
        node, inputs = self.node, self.inputs
        plain, start_at = node.unrecorded_steps, node.processor.start_at
        run = frame.run
        history, nothing_else_ready, decisions = run.history, run.scheduler.nothing_else_ready, run.decisions
        clock: VirtualClock = run.clock  # type: ignore[assignment]  # ``unrecorded``: a VirtualClock
        add_iteration, handover = history.add_iteration, history.add_iteration_handover
        name, visit, total = node.name, frame.entered_event_id, len(results)
        share, child = runner.share_variables, runner.spare
        limit = history.limit
        succeeded: list[tuple[int, int]] = []
        """As in ``run_directly``: iterations that ended, not handed over yet."""
        while True:
            while waiting and nothing_else_ready():  # ``run_waiting``, written out
                index, begun = waiting.popleft()
                if child is None:
                    child = runner.child(begun)
                else:  # the frame of an iteration that ended, fresh again (see ``Frame.__init__``)
                    child.last_event_id = begun
                    child.last_output = NO_OUTPUT
                    if not share:
                        child.variables = VariableScope(frame.variables)
                value = inputs[index]
                state: str | None = start_at
                text: str | None = None
                """The current value's text when it was made (else None: only ``size`` is known)."""
                if type(value) is int and -BOUNDED_INT < value < BOUNDED_INT:
                    size = BOUNDED_INT_CHARS
                else:
                    size = len(text := to_json_text(value))
                if start_at in plain and size < LARGE_TEXT_CHARS:
                    first_id = last_id = history.last_id
                    stop_at = first_id + 1 + 2 * (run.next_checkpoint - run.transitions)
                    if limit is not None and limit - 1 < stop_at:
                        stop_at = limit - 1
                    try:
                        while state is not None:
                            event_id = last_id + 1
                            step_of = plain.get(state)
                            if step_of is None or event_id >= stop_at:
                                break
                            step, choose, per_input, constant, write, following = step_of
                            child.state_name = state
                            child.entered_time = clock._now
                            child.entered_event_id = event_id
                            if step is not None:
                                try:
                                    output = step(value, child)
                                except (PathNotFoundError, EvaluationError) as error:
                                    raise evaluation_guard(child, error) from None
                                if output is not value:
                                    if per_input is None or (size := per_input * size + constant) >= LARGE_TEXT_CHARS:
                                        size = len(text := write(output))
                                        if size >= LARGE_TEXT_CHARS:
                                            if size > QUICK_PAYLOAD_CHARS and text_size(text) > PAYLOAD_LIMIT_BYTES:
                                                raise data_limit_error(state)
                                            stop_at = 0  # a large payload: the next state is ``run_states``'
                                    else:
                                        text = None
                            else:
                                following, decision = choose(child, value)
                                decisions.append(decision)
                                output = value
                            last_id = event_id + 1
                            value = output
                            state = following
                    except BaseException as error:  # as in ``run_directly``
                        run.transitions += (event_id - first_id + 1) // 2
                        history.last_id = child.last_event_id = event_id
                        if not isinstance(error, StatesError):
                            raise
                        ended.append((index, ChildFailure(error, event_id, None)))
                        continue
                    if last_id != first_id:
                        run.transitions += (last_id - first_id) // 2
                        history.last_id = child.last_event_id = last_id
                    if state is None:
                        if ended:
                            ended.append((index, (value, last_id)))
                        elif succeeded or waiting or (following_index := self.next_index) >= total:
                            results[index] = value
                            succeeded.append((index, last_id))
                        else:  # the one iteration running hands its slot over now (``run_directly``'s)
                            results[index] = value
                            remaining -= 1
                            last_event = succeeded_id = last_id + 1
                            if limit is not None and succeeded_id <= limit <= succeeded_id + 1:
                                last_event, begun = handover(
                                    name, index, last_id, clock._now, following_index, clock._now, visit
                                )
                            else:
                                history.last_id = begun = succeeded_id + 1
                            self.next_index = following_index + 1
                            frame.last_event_id = begun
                            waiting.append((following_index, begun))
                        continue
                    child.last_output = value
                    child.last_output_text = to_json_text(value) if text is None else text
                if runner.run_one(index, child, value, state):
                    child = None
            if waiting:
                runner.spare = child
                ended.extendleft([(index, (results[index], child_last)) for index, child_last in reversed(succeeded)])
                runner.run_waiting()
                return remaining, last_event
            while ended:
                index, taken = ended[0]
                if type(taken) is not tuple:
                    break
                ended.popleft()
                results[index], child_last = taken
                succeeded.append((index, child_last))
            remaining -= len(succeeded)
            for index, child_last in succeeded:
                following_index = self.next_index
                if following_index < total:
                    last_event = succeeded_id = history.last_id + 1
                    if limit is not None and succeeded_id <= limit <= succeeded_id + 1:
                        last_event, begun = handover(
                            name, index, child_last, clock._now, following_index, clock._now, visit
                        )
                    else:
                        history.last_id = begun = succeeded_id + 1
                    self.next_index = following_index + 1
                    frame.last_event_id = begun
                    waiting.append((following_index, begun))
                else:
                    last_event = add_iteration("MapIterationSucceeded", child_last, clock._now, name, index, visit)
            succeeded.clear()
            if ended or not waiting:
                break
        runner.spare = child
        return remaining, last_event

    def details(self, index: int) -> dict[str, Any]:
        """An iteration event's details, made when recorded (a Map of 100,000 items kept 100,000 of
        them for its whole run; the history keeps them as (name, index))."""
        return {"index": index, "name": self.node.name}

    def start_next(self, cause: int) -> None:
        """Start the next iteration in a free slot; its ``MapIterationStarted`` links to ``cause``."""
        run = self.frame.run
        self.launch_next(
            run.history.add_iteration(
                "MapIterationStarted",
                cause,
                run.clock.now(),
                self.node.name,
                self.next_index,
                self.frame.entered_event_id,
            )
        )

    def launch_next(self, begun: int) -> None:
        """Launch the next iteration, whose ``MapIterationStarted`` is the event ``begun``."""
        index = self.next_index
        self.next_index = index + 1
        self.frame.last_event_id = begun
        self.runner.launch(index, begun)

    async def fail(self, index: int, failure: ChildFailure) -> NoReturn:
        """Iteration ``index`` failed: ``MapIterationFailed``, the other iterations stopped, the abort
        of the state it failed in; ``MapStateFailed`` follows if no Retrier takes the error."""
        cause = failure.event_id
        self.frame.record_aside("MapIterationFailed", self.details(index), cause=cause)
        await self.stop(BranchAbort(cause))
        failure.record_state_abort(self.frame, cause)
        raise StateFailure(failure.error, cause)

    async def stop(self, reason: BaseException | None) -> None:
        """Stop the iterations. On a failure in this Map or a sibling's (not a stopped execution),
        each stopped iteration records the abort of its state, then ``MapIterationAborted``; one
        that had already failed unseen records the same."""
        unseen = await self.runner.stop(reason)
        if isinstance(reason, BranchAbort):
            cause = reason.cause_event_id
            for index, failure in unseen:
                failure.record_state_abort(self.frame, cause)
                self.frame.record_aside("MapIterationAborted", self.details(index), cause=cause)

    async def _task(self, index: int, child: Frame) -> tuple[Any, int]:
        """An iteration as a scheduler task; a running one that is stopped records its abort."""
        return await self._guarded(index, run_child_scope(self.node.processor, child, self.inputs[index]))

    async def _resumed(self, index: int, paused: _Paused) -> tuple[Any, int]:
        """An iteration that paused when run directly, going on as ``_task`` would."""
        return await self._guarded(index, paused)

    async def _guarded(self, index: int, steps: Awaitable[tuple[Any, int]]) -> tuple[Any, int]:
        try:
            return await steps
        except Cancelled as cancelled:
            if isinstance(cancelled.reason, BranchAbort):
                self.frame.record_aside(
                    "MapIterationAborted", self.details(index), cause=cancelled.reason.cause_event_id
                )
            raise


def _pause(steps: Coroutine[Any, Any, tuple[Any, int]]) -> Outcome | _Paused:
    """An iteration run directly reached a checkpoint of the execution (the one place where such an
    iteration pauses): ``steps`` goes on from there, through the checkpoint up to its pause."""
    try:
        request = steps.send(None)
    except StopIteration as ended:
        return cast("tuple[Any, int]", ended.value)
    except ChildFailure as failure:
        return failure
    return _Paused(steps, request)


class _Paused:
    """An iteration's coroutine suspended on ``request``; awaiting this goes on with it from there
    (``yield from``, with the first value already yielded)."""

    __slots__ = ("request", "steps")

    def __init__(self, steps: Coroutine[Any, Any, tuple[Any, int]], request: Any) -> None:
        self.steps = steps
        self.request = request

    def __await__(self) -> Generator[Any, Any, tuple[Any, int]]:
        steps, request = self.steps, self.request
        while True:
            try:
                value = yield request
            except GeneratorExit:
                steps.close()
                raise
            except BaseException as error:  # a cancellation: into the iteration, as a task would get it
                try:
                    request = steps.throw(error)
                except StopIteration as ended:
                    return cast("tuple[Any, int]", ended.value)
            else:
                try:
                    request = steps.send(value)
                except StopIteration as ended:
                    return cast("tuple[Any, int]", ended.value)
