"""Step Functions Local's MockConfigFile: test cases that map states to named mocked responses.

    {"StateMachines": {"Machine": {"TestCases": {"HappyPath": {"State": "ResponseName"}}}},
     "MockedResponses": {"ResponseName": {"0": {"Return": ...}, "1-2": {"Throw": {...}}}}}

A file is read and checked once (problems are reported with the JSON pointer where they are) and
then shared by every test that uses it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from asl_engine.definition.pointers import join
from asl_engine.errors import ConfigurationError
from asl_engine.services.mocks import Mocks

_cache: dict[tuple[Path, float], MockConfig] = {}
_cache_lock = threading.Lock()


class MockConfig:
    """A parsed, checked MockConfigFile."""

    def __init__(self, document: Any, source: str = "MockConfigFile") -> None:
        self.source = source
        self._cases: dict[str, dict[str, dict[str, str]]] = {}
        self._responses: dict[str, Any] = {}
        self._read(document)

    @classmethod
    def load(cls, path: str | Path) -> MockConfig:
        file = Path(path).resolve()
        try:
            stamp = file.stat().st_mtime
        except OSError as error:
            raise ConfigurationError(f"{path}: cannot read the MockConfigFile: {error.strerror}") from None
        with _cache_lock:
            cached = _cache.get((file, stamp))
        if cached is not None:
            return cached
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except OSError as error:
            raise ConfigurationError(f"{path}: cannot read the MockConfigFile: {error.strerror}") from None
        except json.JSONDecodeError as error:
            raise ConfigurationError(
                f"{path}: the MockConfigFile is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
            ) from None
        config = cls(document, str(path))
        with _cache_lock:
            _cache[(file, stamp)] = config
        return config

    # -- reading ---------------------------------------------------------------------------------------

    def _fail(self, pointer: str, message: str) -> ConfigurationError:
        return ConfigurationError(f"{self.source} at {pointer or '/'}: {message}")

    def _read(self, document: Any) -> None:
        if not isinstance(document, Mapping):
            raise self._fail("", 'a MockConfigFile is an object with "StateMachines" and "MockedResponses"')
        responses = document.get("MockedResponses", {})
        if not isinstance(responses, Mapping):
            raise self._fail("/MockedResponses", "expected an object mapping response names to responses")
        for name, spec in responses.items():
            try:
                Mocks({name: spec})
            except ConfigurationError as error:
                raise self._fail(join("/MockedResponses", name), str(error)) from None
            self._responses[name] = spec
        machines = document.get("StateMachines", {})
        if not isinstance(machines, Mapping):
            raise self._fail("/StateMachines", "expected an object mapping state machine names to test cases")
        for machine, spec in machines.items():
            where = join("/StateMachines", machine)
            cases = spec.get("TestCases") if isinstance(spec, Mapping) else None
            if not isinstance(cases, Mapping):
                raise self._fail(where, 'expected an object with "TestCases"')
            self._cases[machine] = {}
            for case, states in cases.items():
                case_where = join(where, "TestCases", case)
                if not isinstance(states, Mapping):
                    raise self._fail(case_where, "expected an object mapping state names to mocked response names")
                for state, response in states.items():
                    if not isinstance(response, str):
                        raise self._fail(join(case_where, state), "expected the name of a mocked response")
                    if response not in self._responses:
                        known = ", ".join(sorted(self._responses)) or "none"
                        raise self._fail(
                            join(case_where, state),
                            f"no mocked response named '{response}' in MockedResponses (defined: {known})",
                        )
                self._cases[machine][case] = dict(states)

    # -- queries ---------------------------------------------------------------------------------------

    def state_machines(self) -> list[str]:
        return list(self._cases)

    def test_cases(self, state_machine: str) -> list[str]:
        return list(self._cases.get(state_machine, {}))

    def test_case(self, name: str, *, state_machine: str | None = None) -> dict[str, Any]:
        """The mocks of one test case, by state, in the engine's ``mocks=`` shape."""
        machine = self._pick_machine(name, state_machine)
        cases = self._cases[machine]
        if name not in cases:
            known = ", ".join(cases) or "none"
            raise ConfigurationError(
                f"{self.source}: state machine '{machine}' has no test case '{name}' (its test cases: {known})"
            )
        return {state: self._responses[response] for state, response in cases[name].items()}

    def _pick_machine(self, case: str, state_machine: str | None) -> str:
        if state_machine is not None:
            if state_machine not in self._cases:
                known = ", ".join(self._cases) or "none"
                raise ConfigurationError(
                    f"{self.source}: no state machine '{state_machine}' under StateMachines (defined: {known})"
                )
            return state_machine
        having = [machine for machine, cases in self._cases.items() if case in cases]
        if len(having) == 1:
            return having[0]
        if not having:
            raise ConfigurationError(f"{self.source}: no state machine has a test case '{case}'")
        raise ConfigurationError(
            f"{self.source}: several state machines have a test case '{case}' ({', '.join(having)}); "
            "say which with state_machine=..."
        )
