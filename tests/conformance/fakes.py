"""Stand-ins for the engine, so the runner can be tested without it (and against exact behaviour)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asl_engine.conformance.case import Case, parse_case
from asl_engine.conformance.engine import Engine


@dataclass
class FakeExecution:
    status: str = "SUCCEEDED"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class FakeDiagnostic:
    code: str
    message: str
    location: str | None = "/"
    severity: str = "ERROR"


class FakeValidationError(Exception):
    def __init__(self, diagnostics: list[FakeDiagnostic]) -> None:
        super().__init__("invalid")
        self.diagnostics = diagnostics


class FakeDefinitionError(Exception):
    pass


@dataclass
class Calls:
    loads: list[tuple[Any, str]] = field(default_factory=list)
    executions: list[tuple[Any, Any]] = field(default_factory=list)


def fake_engine(
    run: Callable[[Any, Any, Any], FakeExecution] | None = None,
    *,
    reject: list[FakeDiagnostic] | None = None,
    diagnostics: list[FakeDiagnostic] | None = None,
    calls: Calls | None = None,
) -> Engine:
    """An engine whose executions are ``run(definition, input, mocks)``; ``reject`` makes loading fail."""
    log = calls if calls is not None else Calls()

    class Machine:
        def __init__(self, definition: Any) -> None:
            self.definition = definition

        def execute(
            self, input: Any = None, *, mocks: Any = None, history: bool = True, **options: Any
        ) -> FakeExecution:
            log.executions.append((input, mocks))
            return (run or (lambda d, i, m: FakeExecution(output=i)))(self.definition, input, mocks)

    def load(definition: Any, *, machine_type: str = "STANDARD") -> Machine:
        log.loads.append((definition, machine_type))
        if reject is not None:
            raise FakeValidationError(reject)
        return Machine(definition)

    def validate(definition: Any, *, machine_type: str = "STANDARD") -> list[FakeDiagnostic]:
        return list(diagnostics or [])

    return Engine(
        load=load, validate=validate, validation_error=FakeValidationError, definition_error=FakeDefinitionError
    )


PASS_MACHINE = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def case_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "example",
        "category": "self_contained",
        "state_machine_type": "STANDARD",
        "definition": PASS_MACHINE,
        "input": {"a": 1},
        "expected": {"status": "SUCCEEDED", "output": {"a": 1}},
        "features": ["state.Pass"],
        "comparison": {"placeholders": ["111111111111"], "value_placeholders": []},
    }
    data.update(overrides)
    return data


def make_case(**overrides: Any) -> Case:
    return parse_case(case_data(**overrides), Path(f"/cases/{overrides.get('id', 'example')}.json"))


def write_case(directory: Path, **overrides: Any) -> Path:
    data = case_data(**overrides)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{data['id']}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def history(*events: tuple[str, str | None]) -> list[dict[str, Any]]:
    """History dicts from (type, entered state name or None)."""
    built: list[dict[str, Any]] = []
    for number, (kind, name) in enumerate(events, start=1):
        event: dict[str, Any] = {"id": number, "previousEventId": number - 1, "type": kind}
        if name is not None:
            event["stateEnteredEventDetails"] = {"name": name, "input": "{}"}
        built.append(event)
    return built
