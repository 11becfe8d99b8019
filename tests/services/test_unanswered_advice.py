"""A Task nobody answers fails naming the state and the resource; AWS's own error stays where AWS would
raise one; the advice is worded by the caller: Python (``Execution.advice``), the CLI (stderr)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from asl_engine import StateMachine
from asl_engine.cli.main import cli
from asl_engine.services import Resources
from asl_engine.testing import assert_succeeded
from tests.services.support import clock, task_machine

INVOKE = "arn:aws:states:::lambda:invoke"


def test_a_resource_nobody_answers_is_data_and_python_advice() -> None:
    execution = task_machine("arn:aws:states:::ecs:runTask").execute({}, clock=clock())
    assert execution.error == "States.Runtime"
    assert (
        execution.cause == "No mock or handler answers the Task state 'Call' (resource arn:aws:states:::ecs:runTask)."
    )
    (task,) = execution.unanswered_tasks
    assert (task.state_name, task.resource.arn, task.missing) == ("Call", "arn:aws:states:::ecs:runTask", None)
    assert execution.advice is not None
    assert "mocks={'Call': [{'Return': ...}]}" in execution.advice
    assert "resources.handler('arn:aws:states:::ecs:runTask', fn)" in execution.advice


def test_a_missing_function_keeps_lambdas_error_and_cause() -> None:
    execution = task_machine(INVOKE, Parameters={"FunctionName": "ChargeCard"}).execute(
        {}, resources=Resources(), clock=clock()
    )
    assert execution.error == "Lambda.ResourceNotFoundException"
    assert execution.cause is not None and execution.cause.startswith(
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:ChargeCard:$LATEST (Service: AWSLambda;"
    )
    (task,) = execution.unanswered_tasks
    assert task.missing is not None
    assert (task.missing.section, task.missing.config_line) == ("lambda", 'ChargeCard = "module:function"')
    assert execution.advice is not None and 'resources.lambda_function("ChargeCard", handler)' in execution.advice


def test_a_caught_missing_function_still_reports_it_but_the_execution_succeeds() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "Gone"}, "End": True,
                    "Catch": [{"ErrorEquals": ["Lambda.ResourceNotFoundException"], "Next": "Fallback"}],
                },
                "Fallback": {"Type": "Pass", "End": True},
            },
        }
    )  # fmt: skip
    execution = machine.execute({}, resources=Resources(), clock=clock())
    assert_succeeded(execution)
    assert [task.state_name for task in execution.unanswered_tasks] == ["Call"]


def test_assertion_messages_carry_the_advice() -> None:
    execution = task_machine("arn:aws:states:::ecs:runTask").execute({}, clock=clock())
    try:
        assert_succeeded(execution)
    except AssertionError as failure:
        assert "how to answer the tasks nothing answered:" in str(failure)
    else:
        raise AssertionError("assert_succeeded passed on a failed execution")


def test_the_cli_advises_the_asl_toml_line_and_a_mock(tmp_path: Path) -> None:
    definition = tmp_path / "machine.json"
    definition.write_text(
        json.dumps(
            {
                "StartAt": "Charge",
                "States": {
                    "Charge": {
                        "Type": "Task",
                        "Resource": INVOKE,
                        "Parameters": {"FunctionName": "ChargeCard"},
                        "End": True,
                    }
                },
            }
        )
    )
    result = CliRunner().invoke(cli, ["run", str(definition), "--clock", "virtual"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "error: Lambda.ResourceNotFoundException" in lines
    where = tmp_path / "asl.toml"
    hint = lines.index(
        f"hint: state 'Charge' calls the Lambda function 'ChargeCard', which {where} does not define; add:"
    )
    assert lines[hint + 1 : hint + 4] == [
        "        [lambda]",
        '        ChargeCard = "module:function"',
        "      or answer the state with a mock: --mock-config MockConfigFile.json --test-case NAME",
    ]
    assert "mocks=" not in result.stderr  # no Python advice on the command line


def test_the_cli_advises_a_handler_for_a_resource_nothing_answers(tmp_path: Path) -> None:
    definition = tmp_path / "machine.json"
    definition.write_text(
        json.dumps(
            {
                "StartAt": "Run",
                "States": {"Run": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask", "End": True}},
            }
        )
    )
    resources = tmp_path / "local.toml"
    resources.write_text("")
    result = CliRunner().invoke(cli, ["run", str(definition), "--clock", "virtual", "--resources", str(resources)])
    assert result.exit_code == 1
    assert f"hint: nothing answers state 'Run' (arn:aws:states:::ecs:runTask); add to {resources}:" in result.stderr
    assert '        "arn:aws:states:::ecs:runTask" = "module:function"' in result.stderr.splitlines()


def test_asl_run_writes_the_outbox(tmp_path: Path) -> None:
    definition = tmp_path / "machine.json"
    definition.write_text(
        json.dumps(
            {
                "StartAt": "Publish",
                "States": {
                    "Publish": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sns:publish",
                        "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:orders", "Message.$": "$"},
                        "End": True,
                    }
                },
            }
        )
    )
    outbox = tmp_path / "sent.json"
    result = CliRunner().invoke(
        cli, ["run", str(definition), "--input-json", '{"id": 1}', "--clock", "virtual", "--outbox", str(outbox)]
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(outbox.read_text())
    (published,) = document["sns"]["orders"]
    assert (published["Message"], published["sentBy"]["state"]) == ('{"id":1}', "Publish")
    assert json.loads(result.stdout)["MessageId"] == published["MessageId"]
