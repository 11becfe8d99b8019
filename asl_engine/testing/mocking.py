"""Per-test mocks for Task states: sequences of results and errors, callables, MockConfigFile cases.

A ``MockSet`` is a ``HandlerSource``: pass it to ``StateMachine.execute(resources=...)`` or let the
``asl_env`` fixture do it. Unlike the engine's plain ``mocks=`` mapping it remembers what each
mock answered, so a test can be failed for mocks it never used, and it accepts callables that see
the task's input (the ``TaskRequest``).

The n-th invocation of a state in an execution gets the n-th response, as in Step Functions
Local; a response given ``times=None`` answers every invocation from there on.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asl_engine.definition.arns import ResourceRef
from asl_engine.errors import ConfigurationError, StatesError
from asl_engine.runtime.handlers import TaskHandler, TaskRequest
from asl_engine.services.mocks import Mocks


@dataclass(frozen=True, slots=True)
class Return:
    """The task succeeds with ``value`` as its raw result (before ResultSelector)."""

    value: Any = None

    def describe(self) -> str:
        return f"returns {_short(self.value)}"


@dataclass(frozen=True, slots=True)
class Throw:
    """The task fails with ``error`` and ``cause``, subject to the state's Retry and Catch."""

    error: str | None
    cause: str | None = None

    def describe(self) -> str:
        return f"throws {self.error}" + (f" ({_short(self.cause)})" if self.cause else "")


MockFunction = Callable[[TaskRequest], Any]
"""Answers an invocation from its request: return the raw result, or raise ``StatesError`` to fail it."""

Response = Return | Throw | MockFunction


def _describe(response: Response) -> str:
    if isinstance(response, Return | Throw):
        return response.describe()
    return f"calls {getattr(response, '__qualname__', None) or repr(response)}"


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=repr, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class StateMock:
    """The responses of one state and what was made of them."""

    state: str
    responses: list[Response] = field(default_factory=list)
    repeat: Response | None = None
    """Answers every invocation past ``responses``."""
    used: set[int] = field(default_factory=set)
    calls: list[TaskRequest] = field(default_factory=list)

    def add(self, response: Response, times: int | None) -> None:
        if self.repeat is not None:
            raise ConfigurationError(
                f"the mock for state '{self.state}' already answers every invocation ({_describe(self.repeat)}); "
                "give that response times=N to add more after it"
            )
        if times is None:
            self.repeat = response
            return
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ConfigurationError(f"times must be a positive integer or None (every invocation), got {times!r}")
        self.responses.extend([response] * times)

    def answer(self, request: TaskRequest) -> Any:
        self.calls.append(request)
        index = request.invocation
        if index < len(self.responses):
            self.used.add(index)
            response = self.responses[index]
        elif self.repeat is not None:
            self.used.add(-1)
            response = self.repeat
        else:
            raise StatesError(
                "States.Runtime",
                f"The state '{self.state}' was invoked {index + 1} times but its mock defines only "
                f"{len(self.responses)} response(s). Add more responses to the mock.",
            )
        if isinstance(response, Return):
            return response.value
        if isinstance(response, Throw):
            raise StatesError(response.error, response.cause)
        return response(request)

    def unused(self) -> list[str]:
        problems = []
        if not self.calls:
            return ["was never called"]
        left = [i for i in range(len(self.responses)) if i not in self.used]
        if left:
            listed = ", ".join(f"#{i} ({_describe(self.responses[i])})" for i in left[:5])
            more = f" and {len(left) - 5} more" if len(left) > 5 else ""
            problems.append(f"left response{'s' if len(left) > 1 else ''} {listed}{more} unused")
        if self.repeat is not None and -1 not in self.used and self.responses:
            problems.append(f"never reached its repeating response ({_describe(self.repeat)})")
        return problems


class _MockHandler:
    """What the engine calls for a mocked state."""

    __slots__ = ("mock",)

    completes_callback = True
    """A mocked response is the task's final result, even for ``.waitForTaskToken`` (as in Step Functions Local)."""

    def __init__(self, mock: StateMock) -> None:
        self.mock = mock

    def __call__(self, request: TaskRequest) -> Any:
        return self.mock.answer(request)


class MockSet:
    """Mocked Task states for one test; a ``HandlerSource`` consulted before any other handler."""

    mocks_task_states = True
    """Mocks answer Task states only: a Distributed Map's S3 reads and writes go to the embedded S3."""

    def __init__(self, mock_config: str | Path | None = None) -> None:
        self._mocks: dict[str, StateMock] = {}
        self._handlers: dict[str, _MockHandler] = {}
        self.mock_config = mock_config
        """The MockConfigFile ``use_test_case`` reads by default (the plugin sets it from ``asl_mock_config``)."""
        self.fail_on_unused = False
        """Fail the test when a mock was not (entirely) used (the plugin sets it from ``asl_fail_on_unused_mocks``)."""

    def __repr__(self) -> str:
        return f"<MockSet {', '.join(self._mocks) or '(empty)'}>"

    # -- declaring ---------------------------------------------------------------------------------

    def returns(self, state: str, value: Any = None, *, times: int | None = None) -> MockSet:
        """``state`` returns ``value``: on every later invocation by default, or on the next ``times`` ones."""
        self._mock(state).add(Return(value), times)
        return self

    def raises(self, state: str, error: str | None, cause: str | None = None, *, times: int | None = 1) -> MockSet:
        """``state`` fails with ``error``/``cause`` on its next invocation (``times`` of them; None for all)."""
        self._mock(state).add(Throw(error, cause), times)
        return self

    def answers(self, state: str, function: MockFunction, *, times: int | None = None) -> MockSet:
        """``function(request)`` answers ``state``: it sees the task's input as ``request.parameters``."""
        if not callable(function):
            raise ConfigurationError(f"answers() needs a callable for state '{state}', got {function!r}")
        self._mock(state).add(function, times)
        return self

    def __setitem__(self, state: str, responses: Any) -> None:
        """Replace ``state``'s mock with responses in the engine's (and MockConfigFile's) shape.

        A list ``[{"Return": v}, {"Throw": {"Error": e, "Cause": c}}]``, a dict keyed by invocation
        numbers and ranges (``{"0": ..., "1-2": ...}``), a single ``Return``/``Throw``, or a callable.
        """
        self._mocks.pop(state, None)
        self._handlers.pop(state, None)
        mock = self._mock(state)
        if isinstance(responses, Return | Throw) or callable(responses):
            mock.add(responses, None)
            return
        for response in _parse_responses(state, responses):
            mock.add(response, 1)

    def use(self, mocks: Mapping[str, Any]) -> MockSet:
        """Set several states at once, each as ``mocks[state] = responses`` would."""
        for state, responses in mocks.items():
            self[state] = responses
        return self

    def use_test_case(
        self, test_case: str, *, state_machine: str | None = None, config: str | Path | None = None
    ) -> MockSet:
        """Mock the states of a MockConfigFile test case (``StateMachines.<machine>.TestCases.<case>``)."""
        from asl_engine.testing.mock_config import MockConfig

        source = config if config is not None else self.mock_config
        if source is None:
            raise ConfigurationError(
                "use_test_case() needs a MockConfigFile: pass config='MockConfigFile.json', or set "
                "asl_mock_config in the pytest ini file (or --asl-mock-config)"
            )
        return self.use(MockConfig.load(source).test_case(test_case, state_machine=state_machine))

    def _mock(self, state: str) -> StateMock:
        if not isinstance(state, str) or not state:
            raise ConfigurationError(f"a mock needs a state name, got {state!r}")
        mock = self._mocks.get(state)
        if mock is None:
            mock = self._mocks[state] = StateMock(state)
            self._handlers[state] = _MockHandler(mock)
        return mock

    # -- HandlerSource ---------------------------------------------------------------------------------

    def handler_for(self, state_name: str, resource: ResourceRef) -> TaskHandler | None:
        return self._handlers.get(state_name)

    # -- looking back --------------------------------------------------------------------------------

    def __contains__(self, state: object) -> bool:
        return state in self._mocks

    def __getitem__(self, state: str) -> StateMock:
        return self._mocks[state]

    def states(self) -> list[str]:
        return list(self._mocks)

    def calls(self, state: str) -> list[TaskRequest]:
        """The requests ``state``'s mock answered, in order (``request.parameters`` is the task input)."""
        mock = self._mocks.get(state)
        return [] if mock is None else list(mock.calls)

    def unused(self, known_states: Iterable[str] = ()) -> list[str]:
        """One line per mock that went (partly) unused; ``known_states`` feed "did you mean" hints."""
        known = sorted(set(known_states))
        lines = []
        for state, mock in self._mocks.items():
            for problem in mock.unused():
                line = f"the mock for '{state}' {problem}"
                if problem == "was never called" and known and state not in known:
                    close = difflib.get_close_matches(state, known, n=1)
                    line += (
                        f" (no state '{state}' ran; did you mean '{close[0]}'?)"
                        if close
                        else (f" (no state '{state}' ran)")
                    )
                lines.append(line)
        return lines


def _parse_responses(state: str, responses: Any) -> list[Response]:
    """Responses in the engine's shape, validated by the engine's own mock parser."""
    handler = Mocks({state: responses}).handler_for(state, _ANY_RESOURCE)
    parsed = getattr(handler, "responses", None)
    if parsed is None:
        raise ConfigurationError(f"mock for state {state!r}: could not read {responses!r}")
    result: list[Response] = []
    for response in parsed:
        if response.error is not None:
            result.append(Throw(response.error.error, response.error.cause))
        else:
            result.append(Return(response.value))
    return result


_ANY_RESOURCE = ResourceRef("arn:aws:states:::mock", "service", "mock", "mock", "request-response")
