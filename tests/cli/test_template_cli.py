"""The ``asl`` commands on templates (run, validate, graph, test) and ``asl test-state``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke, Write

TEMPLATES = Path(__file__).parents[1] / "templates"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:Bill"

TWO_MACHINES = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage:
    Type: String
    Default: dev
Resources:
  Billing:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: !Sub billing-${Stage}
      Definition:
        StartAt: Bill
        States:
          Bill:
            Type: Task
            Resource: !GetAtt BillFunction.Arn
            Catch:
              - ErrorEquals: [States.ALL]
                Next: Declined
            End: true
          Declined:
            Type: Fail
            Error: Declined
  Greeting:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: Hello
        States:
          Hello:
            Type: Pass
            Result: !Sub "hello from ${Stage}"
            End: true
  BillFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub bill-${Stage}
"""


@pytest.fixture
def sam_app(tmp_path: Path) -> Path:
    shutil.copytree(TEMPLATES / "sam-app", tmp_path / "sam-app")
    return tmp_path / "sam-app" / "template.yaml"


# -- asl run ----------------------------------------------------------------------------------------------


def test_run_a_sam_template_with_its_asl_toml(invoke: Invoke, sam_app: Path) -> None:
    result = invoke("run", str(sam_app), "--input-json", '{"stock_price": 10}', "--clock", "virtual", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert "SdkHttpMetadata" in json.loads(result.stdout)


def test_run_needs_the_machine_named_when_there_are_several(invoke: Invoke, write: Write) -> None:
    template = write("template.yaml", TWO_MACHINES)
    result = invoke("run", str(template))
    assert result.exit_code == 2
    assert "the template has 2 state machines (Billing, Greeting): pick one with --state-machine" in result.stderr
    chosen = invoke("run", str(template), "--state-machine", "Greeting", "--parameter", "Stage=prod", "-q")
    assert (chosen.exit_code, json.loads(chosen.stdout)) == (0, "hello from prod")


def test_run_template_with_a_mock_config_known_by_logical_id(invoke: Invoke, write: Write) -> None:
    template = write("template.yaml", TWO_MACHINES)
    config = write(
        "MockConfigFile.json",
        {
            "StateMachines": {"Billing": {"TestCases": {"Declines": {"Bill": "No"}}}},
            "MockedResponses": {"No": {"0": {"Throw": {"Error": "CardDeclined", "Cause": "expired"}}}},
        },
    )
    args = ("run", str(template), "--state-machine", "Billing", "--mock-config", str(config), "--test-case", "Declines")
    result = invoke(*args)
    assert result.exit_code == 1
    assert "error: Declined" in result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--set", "A=b"), "--set applies to definitions"),
        (("--type", "EXPRESS"), "--type applies to definitions"),
        (("--parameter", "Nope=1"), "unknown parameter Nope"),
        (("--parameter", "broken"), "expected KEY=VALUE"),
    ],
)
def test_run_refuses_definition_options_on_templates(
    invoke: Invoke, write: Write, extra: tuple[str, ...], message: str
) -> None:
    template = write("template.yaml", TWO_MACHINES)
    result = invoke("run", str(template), "--state-machine", "Greeting", *extra)
    assert result.exit_code == 2
    assert message in result.stderr


def test_parameter_on_a_definition_is_a_usage_error(invoke: Invoke, write: Write) -> None:
    definition = write("m.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    result = invoke("run", str(definition), "--parameter", "Stage=prod")
    assert result.exit_code == 2
    assert "--parameter applies to templates" in result.stderr


def test_run_reports_an_invalid_template_definition_with_positions(invoke: Invoke, write: Write) -> None:
    text = TWO_MACHINES.replace("Type: Pass", "Type: Pas")
    template = write("template.yaml", text)
    result = invoke("run", str(template), "--state-machine", "Greeting")
    assert result.exit_code == 2
    line = text.splitlines().index("            Type: Pas") + 1
    assert f"{template}:{line}:13: ERROR SCHEMA_VALIDATION_FAILED at /States/Hello/Type" in result.stderr


def test_run_reports_unresolvable_values_with_the_parameter_to_pass(invoke: Invoke, write: Write) -> None:
    template = write("template.yaml", TWO_MACHINES.replace("    Default: dev\n", ""))
    result = invoke("run", str(template), "--state-machine", "Greeting")
    assert result.exit_code == 2
    assert "Resources.Greeting.Properties.Definition.States.Hello.Result.Fn::Sub" in result.stderr
    assert "the parameter Stage has no Default; pass --parameter Stage=VALUE" in result.stderr


# -- asl validate and asl graph ---------------------------------------------------------------------------


def test_validate_every_machine_of_a_template(invoke: Invoke, write: Write) -> None:
    text = TWO_MACHINES.replace("Next: Declined", "Next: Decline")
    template = write("template.yaml", text)
    result = invoke("validate", str(template))
    assert result.exit_code == 1
    assert f"{template} (Greeting): OK" in result.stdout
    line = text.splitlines().index("                Next: Decline") + 1
    assert f"{template}:{line}:17: ERROR MISSING_TRANSITION_TARGET at /States/Bill/Catch/0/Next" in result.stdout
    assert "[Billing]" in result.stdout
    assert "2 definitions checked: 1 valid, 1 invalid" in result.stdout
    only = invoke("validate", str(template), "--state-machine", "Greeting")
    assert only.exit_code == 0 and "1 state machine checked: 1 valid" in only.stdout


def test_validate_json_nests_machines_under_the_template(invoke: Invoke, write: Write) -> None:
    template = write("template.yaml", TWO_MACHINES)
    result = invoke("validate", "--format", "json", str(template))
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document == {
        str(template): {
            name: {"result": "OK", "diagnostics": [], "truncated": False} for name in ("Billing", "Greeting")
        }
    }


def test_validate_unresolvable_is_exit_two(invoke: Invoke, write: Write) -> None:
    template = write("template.yaml", TWO_MACHINES.replace("    Default: dev\n", ""))
    result = invoke("validate", str(template))
    assert result.exit_code == 2
    assert "UNREADABLE_DEFINITION" in result.stdout and "--parameter Stage=VALUE" in result.stdout
    assert invoke("validate", str(template), "--parameter", "Stage=qa").exit_code == 0


def test_graph_draws_a_templates_machine(invoke: Invoke, write: Write) -> None:
    template = write("template.yaml", TWO_MACHINES)
    result = invoke("graph", str(template), "--state-machine", "Billing", "--format", "dot")
    assert result.exit_code == 0
    assert result.stdout.startswith('digraph "billing-dev" {')
    assert invoke("graph", str(template)).exit_code == 2


# -- asl test ---------------------------------------------------------------------------------------------


def test_a_test_spec_can_run_a_template(invoke: Invoke, write: Write) -> None:
    write("template.yaml", TWO_MACHINES)
    spec = write(
        "tests.yaml",
        """\
        definition: template.yaml
        state_machine: Greeting
        parameters: {Stage: test}
        tests:
          greets:
            expect: {output: hello from test}
        """.replace("        ", ""),
    )
    result = invoke("test", str(spec))
    assert result.exit_code == 0, result.stdout
    assert "1 test: 1 passed, 0 failed" in result.stdout


def test_a_mock_config_finds_its_machine_in_a_template_beside_it(invoke: Invoke, write: Write) -> None:
    write("template.yaml", TWO_MACHINES)
    config = write(
        "MockConfigFile.json",
        {
            "StateMachines": {"Billing": {"TestCases": {"Pays": {"Bill": "Ok"}}}},
            "MockedResponses": {"Ok": {"0": {"Return": {"paid": True}}}},
        },
    )
    result = invoke("test", str(config))
    assert result.exit_code == 0, result.stdout
    assert "PASS    Billing#Pays" in result.stdout


def test_spec_keys_for_definitions_are_refused_with_a_template(invoke: Invoke, write: Write) -> None:
    write("template.yaml", TWO_MACHINES)
    spec = write("tests.yaml", "definition: template.yaml\nstate_machine: Greeting\ntype: EXPRESS\ntests: {a: {}}\n")
    result = invoke("test", str(spec))
    assert result.exit_code == 2
    assert "at /type: template.yaml is a template" in result.stderr


# -- asl test-state ---------------------------------------------------------------------------------------


def test_test_state_prints_awss_answer(invoke: Invoke, write: Write) -> None:
    definition = write(
        "m.json",
        {
            "StartAt": "Bill",
            "States": {
                "Bill": {"Type": "Task", "Resource": LAMBDA, "ResultPath": "$.bill", "Next": "Done"},
                "Done": {"Type": "Succeed"},
            },
        },
    )
    result = invoke(
        "test-state", str(definition), "--state", "Bill", "--input-json", '{"id": 1}',
        "--mock-result", '{"paid": true}', "--inspection-level", "debug", "--compact",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "SUCCEEDED" and answer["nextState"] == "Done"
    assert json.loads(answer["output"]) == {"id": 1, "bill": {"paid": True}}
    assert json.loads(answer["inspectionData"]["result"]) == {"paid": True}


def test_test_state_mocked_error_fails_with_exit_one(invoke: Invoke, write: Write) -> None:
    definition = write(
        "m.json", {"StartAt": "Bill", "States": {"Bill": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
    )
    result = invoke(
        "test-state", str(definition), "--state", "Bill", "--mock-error", "Card.Declined", "--mock-cause", "expired"
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"status": "FAILED", "error": "Card.Declined", "cause": "expired"}


def test_test_state_on_a_template_and_on_one_state(invoke: Invoke, write: Write) -> None:
    template = write("template.yaml", TWO_MACHINES)
    answer = invoke("test-state", str(template), "--state-machine", "Greeting", "--state", "Hello")
    assert json.loads(answer.stdout) == {"status": "SUCCEEDED", "output": '"hello from dev"'}
    state = write("one.json", {"Type": "Pass", "Parameters": {"double.$": "States.MathAdd($.n, $.n)"}, "End": True})
    single = invoke("test-state", str(state), "--input-json", '{"n": 4}')
    assert json.loads(single.stdout) == {"status": "SUCCEEDED", "output": '{"double":8}'}
    refused = invoke("test-state", str(state), "--state", "X")
    assert refused.exit_code == 2 and "leave out --state" in refused.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--state", "Nope"), "Error: ValidationException: State not found in definition (its states: Hello)"),
        (("--state", "Hello", "--mock-result", "1"), "State type 'Pass' is not supported when a mock is specified"),
        (("--state", "Hello", "--mock-result", "1", "--mock-error", "E"), "use --mock-result or --mock-error"),
        (("--state", "Hello", "--mock-cause", "why"), "--mock-cause goes with --mock-error"),
        (("--state", "Hello", "--mock-result", "{oops"), "--mock-result is not valid JSON"),
        (("--state", "Hello", "--inspection-level", "LOUD"), "'LOUD' is not one of"),
        ((), "name the state to run with --state"),
    ],
)
def test_test_state_refusals_exit_two(invoke: Invoke, write: Write, args: tuple[str, ...], message: str) -> None:
    template = write("template.yaml", TWO_MACHINES)
    result = invoke("test-state", str(template), "--state-machine", "Greeting", *args)
    assert result.exit_code == 2
    assert message in result.stderr
