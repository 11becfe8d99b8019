"""``asl run`` end to end through click's CliRunner: every option, exit code and bad-input path."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from asl_engine import StateMachine
from tests.cli.conftest import Invoke, Write

GREETING = {
    "StartAt": "Greet",
    "States": {
        "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello, {}!', $.name)"}, "End": True},
    },
}
FAILING = {"StartAt": "Refuse", "States": {"Refuse": {"Type": "Fail", "Error": "OutOfStock", "Cause": "KB-1 is gone"}}}
SLOW = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Sleep"},
        "Sleep": {"Type": "Wait", "Seconds": 60, "Next": "After"},
        "After": {"Type": "Succeed"},
    },
}
TIMING_OUT = {
    "TimeoutSeconds": 5,
    "StartAt": "Sleep",
    "States": {"Sleep": {"Type": "Wait", "Seconds": 60, "End": True}},
}
BILLING = {
    "StartAt": "Bill",
    "States": {
        "Bill": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Bill",
            "Retry": [{"ErrorEquals": ["BillingError"], "IntervalSeconds": 1, "MaxAttempts": 2}],
            "End": True,
        }
    },
}
MOCK_CONFIG = {
    "StateMachines": {
        "Billing": {
            "TestCases": {
                "RetryThenPay": {"Bill": "FailOnceThenPay"},
                "Unknown": {"Ship": "Paid"},
            }
        }
    },
    "MockedResponses": {
        "FailOnceThenPay": {
            "0": {"Throw": {"Error": "BillingError", "Cause": "card declined"}},
            "1": {"Return": {"paid": True}},
        },
        "Paid": {"0": {"Return": {"paid": True}}},
    },
}


@pytest.fixture
def greeting(write: Write) -> Path:
    return write("greeting.json", GREETING)


# -- output ------------------------------------------------------------------------------------------


def test_output_is_compact_json_on_stdout_and_status_on_stderr(invoke: Invoke, greeting: Path) -> None:
    result = invoke("run", str(greeting), "--input-json", '{"name": "Ada"}')
    assert result.exit_code == 0
    assert result.stdout == '{"greeting":"Hello, Ada!"}\n'
    assert result.stderr == "status: SUCCEEDED\n"


def test_output_is_indented_on_a_terminal(invoke: Invoke, greeting: Path, pretend_terminal: None) -> None:
    result = invoke("run", str(greeting), "--input-json", '{"name": "Ada"}', "--clock", "virtual")
    assert result.stdout == '{\n  "greeting": "Hello, Ada!"\n}\n'


def test_pretty_and_compact_override_the_terminal_guess(
    invoke: Invoke, greeting: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("run", str(greeting), "--input-json", '{"name": "A"}', "--pretty").stdout.startswith("{\n  ")
    from asl_engine.cli import common

    monkeypatch.setattr(common, "is_terminal", lambda stream: True)
    assert (
        invoke("run", str(greeting), "--input-json", '{"name": "A"}', "--compact").stdout
        == '{"greeting":"Hello, A!"}\n'
    )


def test_output_file_gets_the_output_and_stdout_stays_empty(invoke: Invoke, greeting: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = invoke("run", str(greeting), "--input-json", '{"name": "Ada"}', "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text() == '{\n  "greeting": "Hello, Ada!"\n}\n'


def test_unwritable_output_file_is_a_clear_error(invoke: Invoke, greeting: Path, tmp_path: Path) -> None:
    result = invoke("run", str(greeting), "--input-json", '{"name": "Ada"}', "-o", str(tmp_path / "no" / "x.json"))
    assert result.exit_code == 2
    assert "cannot write the output" in result.stderr


def test_quiet_says_nothing_on_success(invoke: Invoke, greeting: Path) -> None:
    result = invoke("run", str(greeting), "--input-json", '{"name": "Ada"}', "-q")
    assert result.exit_code == 0 and result.stderr == ""


# -- input -------------------------------------------------------------------------------------------


def test_input_from_a_file(invoke: Invoke, greeting: Path, write: Write) -> None:
    result = invoke("run", str(greeting), "--input", str(write("in.json", {"name": "Bo"})))
    assert json.loads(result.stdout) == {"greeting": "Hello, Bo!"}


def test_input_from_stdin(invoke: Invoke, greeting: Path) -> None:
    result = invoke("run", str(greeting), "--input", "-", input='{"name": "Cy"}')
    assert json.loads(result.stdout) == {"greeting": "Hello, Cy!"}


def test_no_input_means_an_empty_object(invoke: Invoke, write: Write) -> None:
    echo = write("echo.json", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    assert invoke("run", str(echo)).stdout == "{}\n"


def test_input_and_input_json_together_is_a_usage_error(invoke: Invoke, greeting: Path, write: Write) -> None:
    result = invoke("run", str(greeting), "--input", str(write("in.json", {})), "--input-json", "{}")
    assert result.exit_code == 2
    assert "use --input or --input-json, not both" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{bad", "is not valid JSON: Expecting property name enclosed in double quotes (line 1, column 2)"),
        ("hello", "is not valid JSON: Expecting value (line 1, column 1)"),
        ("NaN", "is not valid JSON: NaN is not a JSON value"),
        ("", "is empty: expected a JSON value, such as {}"),
    ],
)
def test_input_that_is_not_json_exits_two(
    invoke: Invoke, greeting: Path, write: Write, text: str, message: str
) -> None:
    result = invoke("run", str(greeting), "--input", str(write("in.json", text)))
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_invalid_json_input_points_at_the_place(invoke: Invoke, greeting: Path, write: Write) -> None:
    result = invoke("run", str(greeting), "--input", str(write("in.json", '{\n  "name": "Ada",\n}\n')))
    assert "(line 3, column 1)" in result.stderr


def test_missing_input_file_exits_two(invoke: Invoke, greeting: Path, tmp_path: Path) -> None:
    result = invoke("run", str(greeting), "--input", str(tmp_path / "none.json"))
    assert result.exit_code == 2
    assert "none.json: no such file (expected a JSON execution input)" in result.stderr


# -- definitions -------------------------------------------------------------------------------------


def test_missing_definition_exits_two(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("run", str(tmp_path / "none.json"))
    assert result.exit_code == 2
    assert "none.json: no such file" in result.stderr


def test_definition_that_is_not_json_exits_two_with_the_position(invoke: Invoke, write: Write) -> None:
    path = write("broken.json", '{\n  "StartAt": "A",\n  "States": {\n')
    result = invoke("run", str(path))
    assert result.exit_code == 2
    assert "is not a valid state machine definition (1 error)" in result.stderr
    assert "INVALID_JSON_DESCRIPTION" in result.stderr


def test_invalid_definition_exits_two_with_the_validators_diagnostics(invoke: Invoke, write: Write) -> None:
    path = write(
        "bad.json", '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "Nxt": "B", "End": true}\n  }\n}\n'
    )
    result = invoke("run", str(path))
    assert result.exit_code == 2
    assert (
        f"{path}:4:5: ERROR SCHEMA_VALIDATION_FAILED at /States/A: Field 'Nxt' is not supported (did you mean 'Next'?)"
    ) in result.stderr


def test_yaml_definition(invoke: Invoke, write: Write) -> None:
    path = write(
        "flow.yaml", "StartAt: Hello\nStates:\n  Hello:\n    Type: Pass\n    Result: {from: yaml}\n    End: true\n"
    )
    assert json.loads(invoke("run", str(path)).stdout) == {"from": "yaml"}


def test_set_substitutes_definition_placeholders(invoke: Invoke, write: Write) -> None:
    path = write("sub.json", {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "${Greeting}", "End": True}}})
    result = invoke("run", str(path), "--set", "Greeting=hi there")
    assert result.stdout == '"hi there"\n'


def test_malformed_set_is_a_usage_error(invoke: Invoke, greeting: Path) -> None:
    result = invoke("run", str(greeting), "--set", "NoEquals")
    assert result.exit_code == 2
    assert "expected NAME=VALUE, got 'NoEquals'" in result.stderr


def test_express_type_is_checked(invoke: Invoke, write: Write) -> None:
    path = write(
        "sync.json",
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::glue:startJobRun.sync",
                    "Parameters": {"JobName": "j"},
                    "End": True,
                }
            },
        },
    )
    result = invoke("run", str(path), "--type", "express")
    assert result.exit_code == 2
    assert "ERROR" in result.stderr


# -- outcomes and exit codes -------------------------------------------------------------------------


def test_failed_execution_exits_one_with_error_and_cause(invoke: Invoke, write: Write) -> None:
    result = invoke("run", str(write("fail.json", FAILING)))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "status: FAILED\nerror: OutOfStock\ncause: KB-1 is gone\n"


def test_timed_out_execution_exits_three(invoke: Invoke, write: Write) -> None:
    result = invoke("run", str(write("slow.json", TIMING_OUT)), "--clock", "virtual")
    assert result.exit_code == 3
    assert "status: TIMED_OUT" in result.stderr
    assert "ran longer than its TimeoutSeconds (5)" in result.stderr


def test_unknown_resource_fails_naming_the_state_and_resource(invoke: Invoke, write: Write) -> None:
    result = invoke("run", str(write("billing.json", BILLING)))
    assert result.exit_code == 1
    # Lambda's own error, as AWS reports a function that does not exist; the advice names the state.
    assert "error: Lambda.ResourceNotFoundException" in result.stderr
    assert "Function not found: arn:aws:lambda:us-east-1:123456789012:function:Bill" in result.stderr
    assert "hint: state 'Bill' calls the Lambda function 'Bill'" in result.stderr


def test_unrecognized_resource_arn_is_an_invalid_definition(invoke: Invoke, write: Write) -> None:
    path = write(
        "odd.json", {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:nothing", "End": True}}}
    )
    result = invoke("run", str(path))
    assert result.exit_code == 2
    assert "arn:aws:nothing" in result.stderr


# -- mocks -------------------------------------------------------------------------------------------


def test_mock_config_test_case_drives_retry(invoke: Invoke, write: Write) -> None:
    billing, config = write("billing.json", BILLING), write("MockConfigFile.json", MOCK_CONFIG)
    result = invoke(
        "run",
        str(billing),
        "--mock-config",
        str(config),
        "--test-case",
        "RetryThenPay",
        "--clock",
        "virtual",
        "--history",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == '{"paid":true}\n'
    assert result.stderr.count("LambdaFunctionScheduled") == 2


def test_mock_config_needs_a_test_case(invoke: Invoke, write: Write) -> None:
    result = invoke(
        "run", str(write("billing.json", BILLING)), "--mock-config", str(write("MockConfigFile.json", MOCK_CONFIG))
    )
    assert result.exit_code == 2
    assert "--mock-config and --test-case go together" in result.stderr


def test_unknown_test_case_exits_two(invoke: Invoke, write: Write) -> None:
    result = invoke(
        "run",
        str(write("billing.json", BILLING)),
        "--mock-config",
        str(write("MockConfigFile.json", MOCK_CONFIG)),
        "--test-case",
        "Nope",
    )
    assert result.exit_code == 2
    assert "no state machine has a test case 'Nope'" in result.stderr


def test_mock_for_a_state_not_in_the_definition_exits_two(invoke: Invoke, write: Write) -> None:
    result = invoke(
        "run",
        str(write("billing.json", BILLING)),
        "--mock-config",
        str(write("MockConfigFile.json", MOCK_CONFIG)),
        "--test-case",
        "Unknown",
    )
    assert result.exit_code == 2
    assert "'Ship'" in result.stderr


def test_mock_config_that_is_not_json_exits_two(invoke: Invoke, write: Write) -> None:
    result = invoke(
        "run", str(write("billing.json", BILLING)), "--mock-config", str(write("m.json", "{")), "--test-case", "X"
    )
    assert result.exit_code == 2
    assert "not valid JSON" in result.stderr


# -- history and trace -------------------------------------------------------------------------------


def test_history_table_goes_to_stderr(invoke: Invoke, write: Write) -> None:
    result = invoke("run", str(write("fail.json", FAILING)), "--history")
    lines = result.stderr.splitlines()
    assert lines[0].split() == ["ID", "TYPE", "STEP", "ELAPSED", "DETAILS"]
    assert lines[2].split()[:3] == ["2", "FailStateEntered", "Refuse"]
    assert "OutOfStock: KB-1 is gone" in lines[3]


def test_history_json_has_aws_shape_and_rerenders_like_history(invoke: Invoke, greeting: Path, tmp_path: Path) -> None:
    saved = tmp_path / "history.json"
    first = invoke("run", str(greeting), "--input-json", '{"name": "Ada"}', "--history", "--history-json", str(saved))
    document = json.loads(saved.read_text())
    assert [event["type"] for event in document["events"]] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    exited = document["events"][2]
    assert exited["stateExitedEventDetails"]["output"] == '{"greeting":"Hello, Ada!"}'
    assert exited["timestamp"].endswith("+00:00")
    table = first.stderr[: first.stderr.index("status:")]
    assert invoke("history", str(saved)).stdout == table


def test_history_json_to_stdout_replaces_the_output(invoke: Invoke, greeting: Path) -> None:
    result = invoke("run", str(greeting), "--input-json", '{"name": "Ada"}', "--history-json", "-")
    assert json.loads(result.stdout)["events"][-1]["type"] == "ExecutionSucceeded"


def test_trace_streams_json_lines_when_not_on_a_terminal(invoke: Invoke, write: Write) -> None:
    result = invoke("run", str(write("fail.json", FAILING)), "--trace")
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [event["event"] for event in events] == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]
    assert events[1]["state"] == "Refuse" and events[1]["input"] == {}
    assert events[2]["error"] == "OutOfStock"


def test_trace_is_a_console_log_on_a_terminal(invoke: Invoke, greeting: Path, pretend_terminal: None) -> None:
    result = invoke("run", str(greeting), "--input-json", '{"name": "Ada"}', "--trace", "--no-progress")
    entered = next(line for line in result.stderr.splitlines() if "PassStateEntered" in line)
    assert "state=Greet" in entered and 'input={"name":"Ada"}' in entered
    assert not entered.startswith("{")


# -- identity ----------------------------------------------------------------------------------------


NAMED = {
    "StartAt": "Who",
    "States": {"Who": {"Type": "Pass", "Parameters": {"name.$": "$$.Execution.Name"}, "End": True}},
}


def test_name_and_seed(invoke: Invoke, write: Write) -> None:
    path = str(write("named.json", NAMED))
    assert json.loads(invoke("run", path, "--name", "nightly").stdout) == {"name": "nightly"}
    seeded = [invoke("run", path, "--seed", "7").stdout for _ in range(2)]
    assert seeded[0] == seeded[1]
    assert invoke("run", path, "--seed", "8").stdout != seeded[0]


# -- Ctrl-C and progress -----------------------------------------------------------------------------


def _interrupt_once_started(monkeypatch: pytest.MonkeyPatch, after: float = 0.2) -> None:
    """Press Ctrl-C (SIGINT to the main thread, as a terminal sends it) once the execution has started."""
    original = StateMachine.start
    main = threading.main_thread().ident
    assert main is not None

    def start(self: StateMachine, *args: Any, **kwargs: Any) -> Any:
        handle = original(self, *args, **kwargs)

        def press() -> None:
            if not handle.done():  # never interrupt the test run itself
                signal.pthread_kill(main, signal.SIGINT)

        threading.Timer(after, press).start()
        return handle

    monkeypatch.setattr(StateMachine, "start", start)


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
def test_ctrl_c_aborts_the_execution_and_exits_130(
    invoke: Invoke, write: Write, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _interrupt_once_started(monkeypatch)
    saved = tmp_path / "h.json"
    result = invoke("run", str(write("slow.json", SLOW)), "--history-json", str(saved))
    assert result.exit_code == 130
    assert "status: ABORTED (interrupted)" in result.stderr
    assert "ran: Prepare → Sleep" in result.stderr
    last = json.loads(saved.read_text())["events"][-1]
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {"cause": "Interrupted with Ctrl-C"}


def test_progress_shows_the_time_left_in_a_wait(invoke: Invoke, write: Write, pretend_terminal: None) -> None:
    short = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 1, "End": True}}}
    result = invoke("run", str(write("nap.json", short)))
    assert result.exit_code == 0
    assert "Nap" in result.stderr and " left" in result.stderr
    assert result.stderr.endswith("\r\x1b[Kstatus: SUCCEEDED\n")  # the progress line is cleared


def test_no_progress_when_stderr_is_not_a_terminal(invoke: Invoke, write: Write) -> None:
    short = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 1, "End": True}}}
    result = invoke("run", str(write("nap.json", short)))
    assert result.stderr == "status: SUCCEEDED\n"


# -- help ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "test", "history"])
def test_every_help_has_examples(invoke: Invoke, command: str) -> None:
    text = invoke(command, "--help").stdout
    assert "Examples:" in text and f"asl {command} " in text


def test_version(invoke: Invoke) -> None:
    from asl_engine import __version__

    assert invoke("--version").stdout == f"asl, version {__version__}\n"


# -- resources -----------------------------------------------------------------------------------------


HANDLERS = """
class BillingError(Exception):
    pass


def bill(event, context):
    if event.get("declined"):
        raise BillingError("card declined")
    return {"billed": event["total"], "by": context.function_name}
"""


def test_asl_toml_beside_the_definition_answers_task_states(invoke: Invoke, write: Write) -> None:
    write("handlers.py", HANDLERS)
    write("asl.toml", '[lambda]\nBill = "handlers:bill"\n')
    result = invoke("run", str(write("billing.json", BILLING)), "--input-json", '{"total": 5}')
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"billed": 5, "by": "Bill"}


def test_a_handlers_exception_is_the_tasks_error(invoke: Invoke, write: Write) -> None:
    write("handlers.py", HANDLERS)
    write("asl.toml", '[lambda]\nBill = "handlers:bill"\n')
    result = invoke(
        "run", str(write("billing.json", BILLING)), "--input-json", '{"declined": true}', "--clock", "virtual"
    )
    assert result.exit_code == 1
    assert "error: BillingError" in result.stderr


def test_resources_option_names_another_file(invoke: Invoke, write: Write) -> None:
    write("lib/handlers.py", HANDLERS)
    config = write("lib/local.toml", '[lambda]\nBill = "handlers:bill"\n')
    result = invoke(
        "run", str(write("billing.json", BILLING)), "--resources", str(config), "--input-json", '{"total": 1}'
    )
    assert json.loads(result.stdout)["billed"] == 1


def test_mocks_win_over_handlers(invoke: Invoke, write: Write) -> None:
    write("handlers.py", HANDLERS)
    write("asl.toml", '[lambda]\nBill = "handlers:bill"\n')
    result = invoke(
        "run",
        str(write("billing.json", BILLING)),
        "--mock-config",
        str(write("MockConfigFile.json", MOCK_CONFIG)),
        "--test-case",
        "RetryThenPay",
        "--clock",
        "virtual",
    )
    assert result.stdout == '{"paid":true}\n'


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[lambda]\nBill = "nowhere:bill"\n', "cannot import module 'nowhere'"),
        ('[lambda]\nBill = "handlers:missing"\n', "module 'handlers' has no attribute 'missing'"),
        ("[lambda\n", "not valid TOML"),
        ('[queues]\nx = "y"\n', "unknown section"),
    ],
)
def test_unusable_resources_exit_two(invoke: Invoke, write: Write, toml: str, message: str) -> None:
    write("handlers.py", HANDLERS)
    write("asl.toml", toml)
    result = invoke("run", str(write("billing.json", BILLING)))
    assert result.exit_code == 2
    assert message in result.stderr and "asl.toml" in result.stderr


def test_missing_resources_file_exits_two(invoke: Invoke, write: Write, tmp_path: Path) -> None:
    result = invoke("run", str(write("billing.json", BILLING)), "--resources", str(tmp_path / "none.toml"))
    assert result.exit_code == 2
    assert "none.toml" in result.stderr


def test_trace_file_holds_json_lines_only(invoke: Invoke, write: Write, tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    result = invoke("run", str(write("fail.json", FAILING)), "--trace-file", str(trace))
    assert result.stderr == "status: FAILED\nerror: OutOfStock\ncause: KB-1 is gone\n"
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    assert [event["event"] for event in events] == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]


def test_unwritable_trace_file_exits_two(invoke: Invoke, write: Write, tmp_path: Path) -> None:
    result = invoke("run", str(write("fail.json", FAILING)), "--trace-file", str(tmp_path / "no" / "t.jsonl"))
    assert result.exit_code == 2 and "cannot write the trace" in result.stderr


def test_trace_and_trace_file_together_log_to_both(invoke: Invoke, write: Write, tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    result = invoke("run", str(write("fail.json", FAILING)), "--trace", "--trace-file", str(trace))
    assert len(trace.read_text().splitlines()) == 3
    assert sum(line.startswith('{"event"') for line in result.stderr.splitlines()) == 3


def test_a_python_error_inside_a_jsonata_expression_is_a_failed_execution_not_a_traceback(
    invoke: Invoke, write: Write
) -> None:
    path = write(
        "parse.json",
        {"QueryLanguage": "JSONata", "StartAt": "Parse",
         "States": {"Parse": {"Type": "Pass", "Output": "{% $number($states.input.id) %}", "End": True}}},
    )  # fmt: skip
    result = invoke("run", str(path), "--input-json", '{"id": "c-1"}')
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "States.QueryEvaluationError" in result.stderr
    assert "D3030: Unable to cast value to a number" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_long_real_clock_wait_says_once_that_the_virtual_clock_skips_it(
    invoke: Invoke, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asl_engine.cli.render import waits

    monkeypatch.setattr(waits, "LONG_WAIT_SECONDS", 0.3)  # "long" for a test: a one-second Wait is enough
    path = write(
        "nap.json",
        {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 1, "Next": "Again"},
                                      "Again": {"Type": "Wait", "Seconds": 1, "End": True}}},
    )  # fmt: skip
    real = invoke("run", str(path))
    assert real.exit_code == 0
    assert real.stderr.count("--clock virtual skips Wait states") == 1
    assert "note: the Wait state 'Nap' waits" in real.stderr
    assert "--clock virtual" not in invoke("run", str(path), "--clock", "virtual").stderr
    assert invoke("run", str(path), "--quiet").stderr == ""
