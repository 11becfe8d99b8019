"""A new service integration is one package and one table row: proved with a test-only service.

``Echo`` stands for what SNS or an HTTP task would add (docs/architecture.md, "Adding a service
integration"): its routes, its state in the account, its ``asl.toml`` section and its error. It is
registered only here, by passing the table with one more row, never shipped.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from asl_engine.definition.arns import ResourceRef
from asl_engine.errors import ConfigurationError, StatesError
from asl_engine.runtime.handlers import HandlerSource, TaskHandler, TaskRequest
from asl_engine.services import Resources, load_resources
from asl_engine.services.integration import Integration, Route
from asl_engine.services.sections import ConfigSection, only_keys
from asl_engine.services.table import INTEGRATIONS
from tests.services.support import clock, task_machine

SAY = "arn:aws:states:::echo:say"


class Echoes:
    """The service's part of an account: what it prefixes, and what it was asked to say."""

    def __init__(self) -> None:
        self.prefix = ""
        self.said: list[str] = []


def say_handler(echoes: Echoes, resource: ResourceRef, account: HandlerSource) -> TaskHandler:
    def say(request: TaskRequest) -> dict[str, Any]:
        text = request.parameters.get("Text") if isinstance(request.parameters, dict) else None
        if not isinstance(text, str):
            raise StatesError("Echo.InvalidParameterException", "Text must be a string")
        echoes.said.append(text)
        return {"Said": echoes.prefix + text}

    return say


def configure(section: ConfigSection, echoes: Echoes) -> None:
    only_keys(section.values, ("prefix",), section.where)
    prefix = section.values.get("prefix", "")
    if not isinstance(prefix, str):
        raise (section.where / "prefix").error(f"expected a string, got {prefix!r}")
    echoes.prefix = prefix


ECHO = Integration(
    name="echo",
    new_state=Echoes,
    routes=((Route("service", "echo", frozenset({"say"})), say_handler),),
    section="echo",
    configure=configure,
    describe=lambda echoes: f"echo={echoes.said}",
)
WITH_ECHO = (*INTEGRATIONS, ECHO)


def test_the_row_routes_its_resources_to_its_handler() -> None:
    resources = Resources(integrations=WITH_ECHO)
    execution = task_machine(SAY, Parameters={"Text": "hi"}).execute({}, resources=resources, clock=clock())
    assert execution.output == {"Said": "hi"}
    assert resources.state(ECHO).said == ["hi"]
    assert "echo=['hi']" in repr(resources)


def test_its_errors_travel_as_step_functions_errors() -> None:
    resources = Resources(integrations=WITH_ECHO)
    execution = task_machine(SAY, Parameters={"Text": 1}).execute({}, resources=resources, clock=clock())
    assert (execution.error, execution.cause) == ("Echo.InvalidParameterException", "Text must be a string")


def test_without_the_row_nothing_answers_and_the_built_ins_still_do() -> None:
    execution = task_machine(SAY, Parameters={"Text": "hi"}).execute({}, resources=Resources(), clock=clock())
    assert execution.error == "States.Runtime"
    assert "No mock or handler answers the Task state 'Call'" in (execution.cause or "")
    resources = Resources(integrations=WITH_ECHO)
    resources.lambda_function("Double", lambda event, context: event["n"] * 2)
    lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:Double"
    assert task_machine(lambda_arn).execute({"n": 2}, resources=resources, clock=clock()).output == 4


def test_patterns_the_row_does_not_list_are_left_to_other_sources() -> None:
    resources = Resources(integrations=WITH_ECHO)
    execution = task_machine(SAY + ".sync", Parameters={"Text": "hi"}).execute({}, resources=resources, clock=clock())
    assert execution.error == "States.Runtime"
    with pytest.raises(ConfigurationError, match="this Resources has no echo integration"):
        Resources().state(ECHO)


def write(directory: Path, text: str) -> Path:
    file = directory / "asl.toml"
    file.write_text(textwrap.dedent(text), encoding="utf-8")
    return file


def test_its_asl_toml_section_is_read_by_its_own_parser(tmp_path: Path) -> None:
    file = write(tmp_path, '[echo]\nprefix = "> "\n')
    resources = load_resources(file, integrations=WITH_ECHO)
    execution = task_machine(SAY, Parameters={"Text": "hi"}).execute({}, resources=resources, clock=clock())
    assert execution.output == {"Said": "> hi"}


def test_its_section_errors_name_the_file_and_key(tmp_path: Path) -> None:
    file = write(tmp_path, "[echo]\nprefix = 3\n")
    with pytest.raises(ConfigurationError, match=r"asl.toml: echo.prefix: expected a string, got 3"):
        load_resources(file, integrations=WITH_ECHO)
    with pytest.raises(
        ConfigurationError, match=r"echo: unknown section; expected one of activities, apigateway, dynamodb, endpoints"
    ):
        load_resources(file)
    with pytest.raises(ConfigurationError, match=r"expected one of .*dynamodb, echo, endpoints.*state_machines"):
        load_resources(write(tmp_path, "[nope]\n"), integrations=WITH_ECHO)
