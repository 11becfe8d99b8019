"""Task: hands its effective input to a resource and takes the result, with timeouts and retries."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from asl_engine.definition.arns import ResourceRef, UnknownResourceError, parse_resource
from asl_engine.errors import StatesError
from asl_engine.language.errors import PathNotFoundError
from asl_engine.language.template import to_json
from asl_engine.runtime import failures
from asl_engine.runtime.callbacks import await_callback
from asl_engine.runtime.clock import VirtualClock
from asl_engine.runtime.dataflow import JsonPathFlow, compile_optional_path
from asl_engine.runtime.decisions import Decision
from asl_engine.runtime.handlers import (
    ChecksRequest,
    TaskAnswer,
    TaskHandler,
    TaskRequest,
    UnansweredTask,
)
from asl_engine.runtime.history import SHARED, HistoryLimitReached
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.limits import (
    PAYLOAD_LIMIT_BYTES,
    QUICK_PAYLOAD_CHARS,
    data_limit_error,
    exceeds_payload_limit,
    text_size,
)
from asl_engine.runtime.payload_meter import LARGE_TEXT_CHARS
from asl_engine.runtime.retry import RetryPolicy, compile_catchers, compile_retriers
from asl_engine.runtime.safety import transitions_exceeded
from asl_engine.runtime.scheduler import Cancelled, DeadlineExceeded, await_work, with_deadline
from asl_engine.runtime.states.base import CompileError, StateNode, Transition
from asl_engine.runtime.states.retrying import after_failure, run_directly, run_with_policy

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompileContext
    from asl_engine.runtime.environment import TaskEnvironment
    from asl_engine.runtime.frame import Frame

SecondsSource = Callable[["Frame", Any, Any], "float | None"]
"""(frame, raw input, selected input) -> seconds, or None when not set."""


class TaskEvents:
    """The history vocabulary of one kind of resource (Lambda ARN, activity, service integration)."""

    __slots__ = ("failed", "scheduled", "started", "succeeded", "timed_out")

    def __init__(self, prefix: str) -> None:
        self.scheduled = f"{prefix}Scheduled"
        self.started = f"{prefix}Started"
        self.succeeded = f"{prefix}Succeeded"
        self.failed = f"{prefix}Failed"
        self.timed_out = f"{prefix}TimedOut"


_NOT_CALLED: Any = object()

_PLAIN_RESULTS = frozenset({dict, list, str, int, float, bool, type(None)})
"""Results that cannot be awaitable: a handler's usual answer skips ``inspect.isawaitable`` (an ABC check)."""

_RUNTIME = failures.RUNTIME
_NO_LIMIT = 1 << 62
"""A history limit no history reaches (an Express execution's, which has none)."""

_LAMBDA_EVENTS = TaskEvents("LambdaFunction")
_ACTIVITY_EVENTS = TaskEvents("Activity")
_TASK_EVENTS = TaskEvents("Task")


class TaskState(StateNode):
    state_type = "Task"
    aborted_type = "TaskStateAborted"
    blocking = True
    retriable = True
    __slots__ = (
        "events",
        "heartbeat",
        "policy",
        "resource",
        "resource_tag",
        "retry_decisions",
        "submits",
        "timeout",
        "token_in_context",
        "untimed",
    )

    answers_directly: ClassVar[bool] = True
    """Take a mock's answer as data (``AnswersAtOnce``); False calls it like any handler (for the
    differential test)."""

    def __init__(self, name: str, spec: dict[str, Any], pointer: str, context: CompileContext) -> None:
        super().__init__(name, spec, pointer, context)
        try:
            self.resource: ResourceRef = parse_resource(spec.get("Resource"))  # type: ignore[arg-type]
        except UnknownResourceError as error:
            raise CompileError(f"{pointer}/Resource", str(error)) from None
        kind = self.resource.kind
        self.events = (
            _LAMBDA_EVENTS if kind == "lambda-function" else _ACTIVITY_EVENTS if kind == "activity" else _TASK_EVENTS
        )
        self.resource_tag = {
            "resourceType": self.resource.history_resource_type,
            "resource": self.resource.history_resource,
        }
        language = self.query_language
        self.timeout: SecondsSource | None = _seconds_source(context, spec, "TimeoutSeconds", pointer, language)
        self.heartbeat: SecondsSource | None = _seconds_source(context, spec, "HeartbeatSeconds", pointer, language)
        """None without the field (or its ``*Path``): most tasks set neither, and skip the call."""
        self.token_in_context = self.resource.pattern == "wait-for-task-token"
        """``.waitForTaskToken``: each attempt draws a token, which ``$$.Task.Token`` shows."""
        self.untimed = self.timeout is None and self.heartbeat is None and not self.token_in_context
        """Neither timeout, heartbeat nor token: an attempt reads nothing from the InputPath's selection."""
        self.submits = self.resource.pattern != "request-response"
        """Whether a mock's final answer records ``TaskSubmitted`` first (``_record_answered_submission``)."""
        self.policy = RetryPolicy(
            compile_retriers(spec.get("Retry"), f"{pointer}/Retry"),
            compile_catchers(spec.get("Catch"), f"{pointer}/Catch", context, self.flow, self.query_language),
        )
        self.retry_decisions = self.policy.retry_decisions(name)
        """The folded loop's retry decisions (``_run_in_rows``), by error name, made once."""

    def run_async(self, frame: Frame, raw_input: Any) -> Awaitable[Transition]:
        # No coroutine of its own: the retry loop's coroutine is the state's.
        return run_with_policy(self, self.policy, frame, raw_input, self._attempt)

    def run_directly(self, frame: Frame, raw_input: Any) -> Transition | Coroutine[Any, Any, Transition]:
        """``run_async`` as plain calls while nothing suspends (``runtime/direct.py``). A Task a mock
        answers (the first handler source's, ``mocks_task_states``: its answers are fixed data, so the
        same mock answers every attempt) takes its answers as data, a failure included, raised only
        when it fails the state (its events are ``_answered``'s, its decisions ``run_with_policy``'s):
        ``_run_in_rows`` for a Lambda or Task event of a task that submits nothing, in a history whose
        rows are its own (or not recorded, and nobody listening), else ``_run_recorded``. Any other
        runs ``_attempt`` in ``run_directly``'s retry loop."""
        run = frame.run
        if self.untimed and self.answers_directly and run.handlers:
            source = run.handlers[0]
            if getattr(source, "mocks_task_states", False):
                handler = source.handler_for(self.name, self.resource)
                answer_for = getattr(handler, "answer_for", None)
                if answer_for is not None:
                    if self.events is not _ACTIVITY_EVENTS and not self.submits:
                        history = run.history
                        rows = history.state_rows
                        if rows is None and not history.wants_text:
                            # History off and nobody listening: the rows go to a list nobody keeps, the
                            # ids are counted (as ``run_states`` does for plain states).
                            rows = []
                        if rows is not None:
                            answers = getattr(handler, "responses", ())
                            return self._run_in_rows(frame, raw_input, answer_for, answers, rows)
                    return self._run_recorded(frame, raw_input, answer_for, [0] * len(self.policy.retriers))
        return run_directly(self, self.policy, frame, raw_input, self._attempt)

    def _run_recorded(
        self, frame: Frame, raw_input: Any, answer_for: Callable[[int], TaskAnswer], attempts: list[int]
    ) -> Transition | Coroutine[Any, Any, Transition]:
        """``run_directly``'s attempts of a Task a mock answers, from here on (``attempts``: the Retriers'
        counters so far), each recorded through the history's calls."""
        run = frame.run
        policy = self.policy
        flow = self.flow
        while True:
            try:
                parameters = self._checked_input(frame, raw_input)
                invocation = run.next_invocation(self.name)
                self._record_scheduled(frame, parameters, None, None, False)
                answer = answer_for(invocation)  # an exhausted mock raises States.Runtime: no more events
                error = self._recorded(frame, answer)
                if error is None:
                    output, assigned = flow.finish(frame, raw_input, answer.value)
            except StatesError as failure:
                step = after_failure(self, policy, frame, raw_input, failure, attempts)
                if step is None:
                    raise
            else:
                if error is None:
                    self.exit(frame, output, assigned)
                    return output, self.next_state
                # What ``_answered`` raises: a new exception (the answer's error is shared data), a plain
                # ``StatesError`` whatever the answer's class (a Retrier or a Catcher reads only its name).
                error = StatesError(error.error, error.cause)
                step = after_failure(self, policy, frame, raw_input, error, attempts)
                if step is None:
                    raise error
            if type(step) is tuple:
                return step
            if step > 0:  # type: ignore[operator]
                when = run.clock.now() + step  # type: ignore[operator]
                if not run.jump_alone(when):
                    return run_with_policy(self, policy, frame, raw_input, self._attempt, attempts, None, when)

    def _checked_input(self, frame: Frame, raw_input: Any) -> Any:
        """The attempt's effective input, within the payload quota (its text is made already when it is
        the state's input; ``passes_input``: it is the raw input, asked for without the call)."""
        flow = self.flow
        parameters = raw_input if flow.passes_input else flow.effective_input(frame, raw_input)
        text = frame.last_output_text
        if parameters is frame.last_output and type(text) is str:
            if len(text) > QUICK_PAYLOAD_CHARS and text_size(text) > PAYLOAD_LIMIT_BYTES:
                raise data_limit_error(self.name)
        elif exceeds_payload_limit(parameters):
            raise data_limit_error(self.name)
        return parameters

    def _run_in_rows(
        self,
        frame: Frame,
        raw_input: Any,
        answer_for: Callable[[int], TaskAnswer],
        answers: Sequence[TaskAnswer],
        rows: list[Any],
    ) -> Transition | Coroutine[Any, Any, Transition]:
        """``_run_recorded`` folded into one loop for a Lambda or Task event of a task that submits
        nothing, while the history's rows are its own and nobody listens: each attempt's Scheduled,
        Started and Succeeded/Failed rows appended at once (``History.add``, written out), and a
        retried failure's decision (``after_failure``'s retry) taken here, the interval a jump of the
        clock (``ExecutionRun.jump_alone``). A mock's answers are data (``answers``: the first ones,
        by invocation number): nothing runs between two attempts that could move the clock, read the
        history or count the invocations, and each attempt's answer is read before its rows, which
        are then appended in one step. The general calls (``_run_recorded``) take the rest of the
        attempts two events before the history's limit, past the answers given as data (``answer_for``:
        an exhausted mock raises States.Runtime after the Scheduled and Started events), at a
        ``States.Runtime`` answer (no Failed event, never retried nor caught) and at a result beyond
        the quota (its Failed event); a failure that no Retrier takes goes to ``after_failure`` (the
        Catchers). A result that is the state's output (a JSONPath flow without ResultSelector,
        ResultPath, OutputPath or Assign) and small has its text made once, for the quota and for the
        Exited row (``exit``, written out). ``tests/runtime/test_direct_execution.py`` compares this
        with the coroutine path."""
        run = frame.run
        history = run.history
        clock = run.clock
        virtual = clock if type(clock) is VirtualClock else None
        policy = self.policy
        flow = self.flow
        name = self.name
        events = self.events
        tag = self.resource_tag
        task_events = events is _TASK_EVENTS
        limit = history.limit
        last_safe = _NO_LIMIT if limit is None else limit - 3  # from there on, ``_run_recorded``
        attempts = [0] * len(policy.retriers)
        passes_input = flow.passes_input
        result_is_output = type(flow) is JsonPathFlow and flow.result_is_output
        invocations = run.invocations
        invocation = invocations.get(name, 0)
        known = len(answers)
        parameters = _NOT_CALLED
        details: dict[str, Any] = {}
        started: dict[str, Any] | None = None
        shared = SHARED if passes_input else None
        started_shared = shared if task_events else None  # a Lambda's Started event has no details
        failed: dict[str, Any] | None = None  # the last failure's details, shared while its error and cause are
        decision: Any = None  # the last retry's decision, appended again while the error's name is the same
        while True:
            if history.last_id >= last_safe or invocation >= known:
                return self._run_recorded(frame, raw_input, answer_for, attempts)
            answer = answers[invocation]
            error = answer.error
            if error is None:
                value = answer.value
                text = _small_text(frame, value) if result_is_output else None
                if text is None and exceeds_payload_limit(value):
                    return self._run_recorded(frame, raw_input, answer_for, attempts)
            elif type(error) is not StatesError or error.error == _RUNTIME:
                # No Failed event, never retried nor caught; or a subclass, which ``_answered`` raises as
                # a plain ``StatesError``.
                return self._run_recorded(frame, raw_input, answer_for, attempts)
            try:
                # The attempt's time (nothing moves the clock until its retry's jump); a ``VirtualClock``'s
                # ``now()`` returns its ``_now``, read here without the call (as ``run_plain_states`` does).
                now = virtual._now if virtual is not None else clock.now()
                if parameters is _NOT_CALLED or not passes_input:
                    # Checked once when every attempt's input is the state's raw input, and its details
                    # made once then: the rows share them (``SHARED``: a reader gets a copy).
                    parameters = self._checked_input(frame, raw_input)
                    if task_events:
                        details = {**tag, "region": run.region, "parameters": parameters}
                        started = {**tag}
                    else:
                        details = {"resource": self.resource.arn, "input": parameters}
                if error is None:
                    ended, ending, ending_shared = (
                        events.succeeded,
                        {**tag, "output": value} if task_events else {"output": value},
                        None,
                    )
                else:
                    kind = error.error
                    cause = error.cause
                    if kind is not None and cause is not None:
                        if failed is None or failed["error"] != kind or failed["cause"] != cause:
                            failed = (
                                {**tag, "error": kind, "cause": cause}
                                if task_events
                                else {"error": kind, "cause": cause}
                            )
                        ended, ending, ending_shared = events.failed, failed, SHARED
                    else:
                        ended, ending, ending_shared = events.failed, self._failure_details(error), None
                invocation += 1
                invocations[name] = invocation  # ``run.next_invocation``, counted here
                first = history.last_id + 1
                previous = frame.last_event_id
                rows += (
                    events.scheduled,
                    None if previous == first - 1 else previous,
                    now,
                    details,
                    None,
                    shared,
                    events.started,
                    None,
                    now,
                    started,
                    None,
                    started_shared,
                    ended,
                    None,
                    now,
                    ending,
                    None,
                    ending_shared,
                )
                history.last_id = frame.last_event_id = first + 2
                if error is None and text is None:
                    output, assigned = flow.finish(frame, raw_input, value)
            except StatesError as failure:
                step = after_failure(self, policy, frame, raw_input, failure, attempts)
                if step is None:
                    raise
                if type(step) is tuple:
                    return step
                delay: float = step  # type: ignore[assignment]
            else:
                if error is None:
                    if text is None:
                        self.exit(frame, output, assigned)
                        return output, self.next_state
                    # ``exit`` written out: the output is the result, whose text is made and measured.
                    frame.last_output, frame.last_output_text = value, text
                    exited = first + 3
                    history.last_id = exited
                    rows += (
                        self.exited_type,
                        None,
                        virtual._now if virtual is not None else clock.now(),
                        name,
                        text,
                        None,
                    )
                    if exited == limit:
                        raise HistoryLimitReached(exited)
                    frame.last_event_id = exited
                    return value, self.next_state
                retry = policy.next_retry(error, attempts, frame)
                if retry is None:  # the Catchers (``after_failure`` finds no Retrier again)
                    caught = after_failure(self, policy, frame, raw_input, error, attempts)
                    if caught is None:
                        # A new exception (the answer's error is shared data), as ``_answered`` raises.
                        raise StatesError(kind, cause)
                    return caught  # type: ignore[return-value]
                # ``after_failure``'s retry, written out
                run.transitions += 1  # each retry is a state transition (as AWS counts them)
                if run.transitions >= run.limits.max_transitions:
                    raise transitions_exceeded(run.limits.max_transitions)
                index, delay = retry
                if decision is None or decision[3] != kind:  # a plain error's name decides its Retrier
                    decision = self.retry_decisions.get(kind) or tuple.__new__(Decision, ("retry", name, index, kind))
                run.decisions.append(decision)
                frame.retry_count = (frame.retry_count or 0) + 1
            if delay > 0:
                when = now + delay
                # ``run.jump_alone(when)``, its common case (no scheduler made: only the clock can say no) here.
                alone = run.alone
                if not (alone.jump_undriven(when) if alone is not None else run.jump_alone(when)):
                    return run_with_policy(self, policy, frame, raw_input, self._attempt, attempts, None, when)

    @property
    def data_limit_subject(self) -> str:
        """What AWS names in DataLimitExceeded causes: the function ARN, or the integration's service."""
        return self.resource.arn if self.resource.kind in ("lambda-function", "activity") else self.resource.service

    def _attempt(self, frame: Frame, raw_input: Any) -> Any:
        """One try: the raw result when the handler answers at once (a mock, a function), else the
        coroutine that waits for it (``run_with_policy`` awaits it). A failure raises ``StatesError``
        with its events recorded."""
        run = frame.run
        flow = self.flow
        if self.untimed:
            # Nothing reads the InputPath's selection but the effective input, which fails as it would.
            timeout = heartbeat = None
        else:
            selected = flow.selected_input(frame, raw_input)
            timeout = None if self.timeout is None else self.timeout(frame, raw_input, selected)
            heartbeat = None if self.heartbeat is None else self.heartbeat(frame, raw_input, selected)
            if self.token_in_context:
                frame.task_token = run.new_task_token(frame)
        parameters = flow.effective_input(frame, raw_input)
        text = frame.last_output_text
        if parameters is frame.last_output and type(text) is str:  # the input, whose text is made already
            if len(text) > QUICK_PAYLOAD_CHARS and text_size(text) > PAYLOAD_LIMIT_BYTES:
                raise data_limit_error(self.name)
        elif exceeds_payload_limit(parameters):
            raise data_limit_error(self.name)
        handler = run.find_handler(self.name, self.resource)
        if handler is None and self.resource.kind == "activity":
            # No worker polls this activity: AWS fails before scheduling, as if it did not exist.
            failure = failures.runtime_error(frame, f"The activity {self.resource.arn} does not exist.")
            raise run.unanswered_task(
                UnansweredTask(failure.error, failure.cause, state_name=self.name, resource=self.resource)
            )
        invocation = run.next_invocation(self.name)
        # Capabilities are looked up by attribute (``AnswersAtOnce``, ``ChecksRequest``, ``WaitsForWorker``):
        # cheaper than an isinstance check against a runtime-checkable protocol, on every task.
        answer_for: Callable[[int], TaskAnswer] | None = getattr(handler, "answer_for", None)
        if answer_for is not None and frame.task_token is None and run.durable is None and self.answers_directly:
            return self._answered(frame, parameters, timeout, heartbeat, answer_for, invocation)
        events = self.events
        worker_queue = events is _ACTIVITY_EVENTS and bool(getattr(handler, "waits_for_worker", False))
        origin = _TaskAttempt(self, frame)
        request = TaskRequest(
            self.name,
            self.resource,
            parameters,
            invocation,
            timeout,
            heartbeat,
            # An activity task's token goes to the worker that takes it, not into the context object.
            run.new_task_token(frame) if worker_queue else frame.task_token,
            entered_event_id=frame.entered_event_id,
            origin=origin,
        )
        check: ChecksRequest | None = getattr(handler, "check_request", None) and handler  # type: ignore[assignment]
        if check is not None:
            try:
                check.check_request(request)
            except UnansweredTask as unanswered:
                raise run.unanswered_task(unanswered) from None
        origin.scheduled = scheduled = self._record_scheduled(frame, parameters, timeout, heartbeat, worker_queue)
        try:
            if handler is None:
                handler = run.handler_for(self.name, self.resource)  # raises the explanatory error
            if request.task_token is not None or run.durable is not None:
                return self._answer(frame, request, handler, timeout, heartbeat, scheduled)
            # The usual task: its handler answers at once (a function), awaited by nobody.
            try:
                result = handler(request)
            except StatesError as error:
                if getattr(handler, "completes_callback", False) and error.error != failures.RUNTIME:
                    self._record_answered_submission(frame)
                raise
            except Exception as error:
                # A handler is user code: an unexpected exception fails the task like a crashed function.
                raise StatesError(type(error).__name__, _handler_failure(error)) from error
            if type(result) not in _PLAIN_RESULTS and inspect.isawaitable(result):
                return self._answer(frame, request, handler, timeout, heartbeat, scheduled, result)
            if self.submits and getattr(handler, "completes_callback", False):
                self._record_answered_submission(frame)
        except StatesError as error:
            self._record_failure(frame, error)
            raise
        return self._succeeded(frame, result, request.result_within_quota)

    def _answered(
        self,
        frame: Frame,
        parameters: Any,
        timeout: float | None,
        heartbeat: float | None,
        answer_for: Callable[[int], TaskAnswer],
        invocation: int,
    ) -> Any:
        """The attempt of a task a mock answers (``AnswersAtOnce``): its answer is data, so the task needs
        no request, and a failure is raised once, to the retry loop. The events are ``_attempt``'s for
        the same answer given by a call (``tests/runtime/test_mock_answers.py`` compares the two)."""
        self._record_scheduled(frame, parameters, timeout, heartbeat, False)
        answer = answer_for(invocation)  # an exhausted mock raises States.Runtime: no more events
        failure = self._recorded(frame, answer)
        if failure is None:
            return answer.value
        # A new exception for each failure (the answer's error is shared data), held by no local: the
        # traceback refers to this frame, and a local holding the exception would make a reference
        # cycle that keeps the whole execution alive until the garbage collector runs.
        raise StatesError(failure.error, failure.cause)

    def _recorded(self, frame: Frame, answer: TaskAnswer) -> StatesError | None:
        """A mock's answer, after its ``<Kind>Scheduled`` and ``Started``: its events recorded, and
        the failure it gives (None when it succeeded, ``<Kind>Succeeded`` recorded; a result too
        large raises)."""
        error = answer.error
        if error is None:
            if self.submits:
                self._record_answered_submission(frame)
            self._succeeded(frame, answer.value)
            return None
        if error.error != failures.RUNTIME:
            if self.submits:
                self._record_answered_submission(frame)
            frame.record(self.events.failed, self._failure_details(error))
        return error

    async def _answer(
        self,
        frame: Frame,
        request: TaskRequest,
        handler: TaskHandler,
        timeout: float | None,
        heartbeat: float | None,
        scheduled: int,
        answer: Any = _NOT_CALLED,
    ) -> Any:
        """The attempt's end when it must wait: for an awaitable answer, a ``.sync`` job, a task token's
        answer, or a durable execution's recorded outcome (``_invoke``)."""
        try:
            result = await self._invoke(frame, request, handler, timeout, heartbeat, scheduled, answer)
        except StatesError as error:
            self._record_failure(frame, error)
            raise
        except Cancelled as cancelled:
            frame.run.record_aborted(frame, self.aborted_type, cancelled)
            raise
        return self._succeeded(frame, result)

    def _record_scheduled(
        self, frame: Frame, parameters: Any, timeout: float | None, heartbeat: float | None, worker_queue: bool
    ) -> int:
        """``<Kind>Scheduled``, then ``<Kind>Started`` (but for an activity a worker takes later); the
        id of the first."""
        events = self.events
        run = frame.run
        details = self._scheduled_details(run.region, parameters, timeout, heartbeat)
        if events is _ACTIVITY_EVENTS:
            scheduled = frame.record(events.scheduled, details)
            if not worker_queue:
                frame.record(events.started, {"workerName": run.activity_worker_name})
            return scheduled
        started = dict(self.resource_tag) if events is _TASK_EVENTS else None
        now = run.clock.now
        # ``frame.record`` twice, in one step when the history can take both rows at once.
        previous = frame.last_event_id
        paired = run.history.add_pair(events.scheduled, details, events.started, started, previous, now(), now())
        if paired is None:
            scheduled = frame.record(events.scheduled, details)
            frame.record(events.started, started)
            return scheduled
        frame.last_event_id = paired + 1
        return paired

    def _record_failure(self, frame: Frame, error: StatesError) -> None:
        """The attempt failed with ``error`` (about to be raised): ``<Kind>Failed`` or ``<Kind>TimedOut``,
        but none for ``States.Runtime``."""
        if isinstance(error, UnansweredTask):
            frame.run.unanswered_task(error)
        if error.error == failures.RUNTIME:
            return
        kind = self.events.timed_out if isinstance(error, failures.TimeoutFailure) else self.events.failed
        frame.record(kind, self._failure_details(error))

    def _succeeded(self, frame: Frame, result: Any, within_quota: bool = False) -> Any:
        """``<Kind>Succeeded`` with the raw result (or a failure, when it is too large); the result.
        ``within_quota``: the handler knows the result's size is within the quota (``TaskRequest``)."""
        events = self.events
        if not within_quota and exceeds_payload_limit(result):
            too_large = data_limit_error(self.data_limit_subject)
            frame.record(events.failed, self._failure_details(too_large))
            raise too_large
        if events is _TASK_EVENTS:
            frame.record(events.succeeded, {**self.resource_tag, "output": result})
        else:
            frame.record(events.succeeded, {"output": result})
        return result

    async def _invoke(
        self,
        frame: Frame,
        request: TaskRequest,
        handler: TaskHandler,
        timeout: float | None,
        heartbeat: float | None,
        scheduled: int,
        answer: Any = _NOT_CALLED,
    ) -> Any:
        """Call the handler (``answer``: what it returned already, an awaitable) and wait for its result,
        its ``.sync`` job or its task token's answer."""
        run = frame.run
        started = run.clock.now()
        deadline = None if timeout is None else started + timeout
        durable = run.durable
        pending = None
        if request.task_token is not None:
            key = (run.stream, scheduled)
            pending = run.callbacks.open(request.task_token, self.name, key)
            if durable is not None:
                durable.token_opened(request.task_token, key, self.name, deadline, heartbeat)
        # CallbackCompleting is a capability a handler may declare: read it directly (a runtime-checkable
        # Protocol's isinstance costs more than the rest of a trivial task).
        final_answer = bool(getattr(handler, "completes_callback", False))
        try:
            try:
                if durable is not None:
                    outcome = await durable.invoke(frame, request, handler, scheduled, deadline)
                elif answer is not _NOT_CALLED:
                    outcome = answer
                else:
                    outcome = handler(request)
            except StatesError as error:
                if final_answer and error.error != failures.RUNTIME:
                    self._record_answered_submission(frame)
                raise
            if durable is None and type(outcome) not in _PLAIN_RESULTS and inspect.isawaitable(outcome):
                name = f"task {self.name}"
                if run.activities is None:
                    outcome = await with_deadline(run.scheduler, _as_coroutine(outcome), deadline, name)
                else:
                    activity = run.activities.start(_as_coroutine(outcome), name)
                    outcome = await await_work(run.scheduler, activity, deadline, name)
            if final_answer:
                self._record_answered_submission(frame)
                return outcome
            if pending is None:
                return outcome
            # The integration was called with the token (or a worker took the activity task); now the
            # task waits for someone to answer it.
            if self.events is not _ACTIVITY_EVENTS:
                request.submit(outcome)
            remaining = None if timeout is None else max(0.0, started + timeout - run.clock.now())
            status, result = await await_callback(
                run.callbacks,
                pending,
                now=run.clock.now(),
                timeout=remaining,
                heartbeat=heartbeat,
                clock_now=run.clock.now,
            )
            if status == "timeout":
                raise failures.TimeoutFailure()
            if status == "heartbeat":
                raise failures.HeartbeatTimeoutError()
            return result
        except DeadlineExceeded:
            raise failures.TimeoutFailure() from None
        except StatesError:
            raise
        except Exception as error:
            # A handler is user code: an unexpected exception fails the task like a crashed function,
            # named after the exception's class, never the whole engine.
            raise StatesError(type(error).__name__, _handler_failure(error)) from error
        finally:
            if pending is not None:
                run.callbacks.close(pending)
                if durable is not None:
                    durable.token_closed(pending.token)

    def _record_worker_started(self, frame: Frame, worker_name: str | None) -> None:
        frame.record(self.events.started, {} if worker_name is None else {"workerName": worker_name})

    def _record_submitted(self, frame: Frame, output: Any) -> None:
        frame.record("TaskSubmitted", {**self.resource_tag, "output": output})

    def _record_answered_submission(self, frame: Frame) -> None:
        """A mock answered a ``.sync`` or ``.waitForTaskToken`` task with its final outcome.

        On AWS such a task records ``TaskSubmitted`` (the service's answer to the call that started
        the job or sent the token) before its ``TaskSucceeded``/``TaskFailed``/``TaskTimedOut``. The
        mock stands for the whole task, so the event is recorded without the answer it does not give.
        """
        if self.resource.pattern != "request-response":
            frame.record("TaskSubmitted", dict(self.resource_tag))

    def _scheduled_details(
        self, region: str, parameters: Any, timeout: float | None, heartbeat: float | None
    ) -> dict[str, Any]:
        if self.events is _TASK_EVENTS:
            details: dict[str, Any] = {**self.resource_tag, "region": region, "parameters": parameters}
        else:
            details = {"resource": self.resource.arn, "input": parameters}
        if timeout is not None:
            details["timeoutInSeconds"] = int(timeout)
        if heartbeat is not None:
            details["heartbeatInSeconds"] = int(heartbeat)
        return details

    def _failure_details(self, error: StatesError) -> dict[str, Any]:
        details: dict[str, Any] = dict(self.resource_tag) if self.events is _TASK_EVENTS else {}
        if error.error is not None:
            details["error"] = error.error
        if error.cause is not None:
            details["cause"] = error.cause
        return details


class _TaskAttempt:
    """The origin of an attempt's ``TaskRequest`` (``RequestOrigin``): the Task state and its frame, with
    the frame's context-object values as they were when the attempt began."""

    __slots__ = ("frame", "node", "scheduled", "snapshot")

    def __init__(self, node: TaskState, frame: Frame) -> None:
        self.node = node
        self.frame = frame
        self.snapshot = (frame.entered_time, frame.state_name, frame.retry_count, frame.task_token, frame.map_item)
        self.scheduled = 0
        """The id of the attempt's ``TaskScheduled`` event, once recorded."""

    def context_object(self) -> dict[str, Any]:
        return self.frame.context_at(*self.snapshot)

    def environment(self) -> TaskEnvironment:
        return self.frame.run.task_environment

    def idempotency_key(self) -> str:
        if not self.scheduled:  # asked by ``check_request``, before the task is scheduled
            return ""
        return f"{self.frame.run.execution_arn}/{self.node.name}/{self.scheduled}"

    def submit(self, output: Any) -> None:
        self.node._record_submitted(self.frame, output)

    def worker_started(self, worker_name: str | None) -> None:
        self.node._record_worker_started(self.frame, worker_name)


def _small_text(frame: Frame, value: Any) -> str | None:
    """The JSON text of a result that is the state's output, when ``StateNode.exit`` would make that
    very text (the previous output's text is small, a ``str``) and it is small too (under
    ``LARGE_TEXT_CHARS``, so within the quota): made once for the result's quota and the output's.
    None otherwise (the caller then measures the result, and ``exit`` the output, as usual)."""
    last = frame.last_output_text
    if type(last) is not str or len(last) >= LARGE_TEXT_CHARS or value is frame.last_output:
        return None
    try:
        text = to_json_text(value)
    except (TypeError, ValueError, RecursionError):
        return None
    return text if len(text) < LARGE_TEXT_CHARS else None


def _seconds_source(
    context: CompileContext, spec: dict[str, Any], field: str, pointer: str, query_language: str
) -> SecondsSource | None:
    if field not in spec and f"{field}Path" not in spec:
        return None
    return context.seconds_source(spec, field, pointer, query_language)


def _handler_failure(error: Exception) -> str:
    """The cause of a handler's exception; an asyncio coroutine driven without a loop says what to do."""
    message = str(error)
    if isinstance(error, RuntimeError) and "no running event loop" in message:
        return (
            f"{message}: the handler awaits asyncio, which needs an event loop; run the execution with "
            "execute_async() or start_async() from a coroutine, and its async def handlers run on that loop"
        )
    return message


async def _as_coroutine(awaitable: Any) -> Any:
    return await awaitable


def jsonpath_seconds_source(spec: dict[str, Any], field: str, pointer: str) -> SecondsSource:
    """``TimeoutSeconds``/``HeartbeatSeconds`` or their ``*Path`` variants (JSONPath states)."""
    if field in spec:
        value = spec[field]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise CompileError(f"{pointer}/{field}", f"'{field}' must be a positive integer")
        return lambda frame, raw, selected: value
    path_field = f"{field}Path"
    if path_field not in spec:
        return lambda frame, raw, selected: None
    path = compile_optional_path(spec, path_field, pointer, reference=True)

    def from_path(frame: Frame, raw: Any, selected: Any) -> float:
        try:
            value = path.get(selected, frame)
        except PathNotFoundError as error:
            raise failures.from_path(frame, error) from None
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0 or value != int(value):
            raise failures.runtime_error(
                frame,
                f'The {path_field} field refers to value "{to_json(value)}" which is not a valid positive '
                f"integer: {path.text}",
            )
        return int(value)

    return from_path
