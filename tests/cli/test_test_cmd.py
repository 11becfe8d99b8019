"""``asl test``: test specs and MockConfigFiles, the pass/fail table, exit codes, bad specs."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from asl_engine.testing.json_diff import json_differences
from tests.cli.conftest import Invoke, Write

BILLING = {
    "StartAt": "Bill",
    "States": {
        "Bill": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Bill",
            "Retry": [{"ErrorEquals": ["BillingError"], "IntervalSeconds": 1, "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Declined"}],
            "Next": "Done",
        },
        "Declined": {"Type": "Fail", "Error": "Declined", "Cause": "billing failed"},
        "Done": {"Type": "Succeed"},
    },
}
MOCK_CONFIG = {
    "StateMachines": {"billing": {"TestCases": {"HappyPath": {"Bill": "Paid"}, "AlwaysDeclined": {"Bill": "No"}}}},
    "MockedResponses": {
        "Paid": {"0": {"Return": {"paid": True}}},
        "No": {"0-2": {"Throw": {"Error": "BillingError", "Cause": "card declined"}}},
    },
}
SPEC = """\
definition: billing.json
mock_config: MockConfigFile.json
tests:
  pays:
    test_case: HappyPath
    expect:
      output: {paid: true}
      path: [Bill, Done]
  retries then pays:
    input: {card: "4111"}
    mocks:
      Bill:
        - Throw: {Error: BillingError, Cause: card declined}
        - Return: {paid: true}
    expect:
      output: {paid: true}
  declined:
    test_case: AlwaysDeclined
    expect:
      error: Declined
      cause: billing failed
      path: [Bill, Declined]
"""


@pytest.fixture
def project(write: Write) -> Path:
    write("billing.json", BILLING)
    write("MockConfigFile.json", MOCK_CONFIG)
    return write("billing.tests.yaml", SPEC)


def test_passing_spec_prints_a_table_and_exits_zero(invoke: Invoke, project: Path) -> None:
    result = invoke("test", str(project))
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["RESULT", "TEST", "STATUS", "TIME"]
    assert [line.split()[0] for line in lines[1:4]] == ["PASS", "PASS", "PASS"]
    assert "declined" in lines[3] and "FAILED" in lines[3]
    assert lines[-1] == "3 tests: 3 passed, 0 failed"


def test_failures_say_what_differs_and_exit_one(invoke: Invoke, project: Path, write: Write) -> None:
    spec = write(
        "wrong.yaml",
        """\
definition: billing.json
mock_config: MockConfigFile.json
tests:
  wrong output and path:
    test_case: HappyPath
    expect: {output: {paid: false, receipt: 1}, path: [Bill, Declined]}
  wrong status:
    test_case: AlwaysDeclined
""",
    )
    result = invoke("test", str(spec))
    assert result.exit_code == 1
    assert "output differs at /receipt: missing (expected 1)" in result.stdout
    assert "path differs at step 2:" in result.stdout
    assert "expected: Bill → Declined" in result.stdout and "got:      Bill → Done" in result.stdout
    assert "expected status SUCCEEDED, got FAILED (Declined: billing failed)" in result.stdout
    assert result.stdout.splitlines()[-1] == "2 tests: 0 passed, 2 failed"


def test_k_selects_tests_by_name_and_json_report(invoke: Invoke, project: Path) -> None:
    result = invoke("test", str(project), "-k", "pays", "--format", "json")
    report = json.loads(result.stdout)
    assert [test["name"] for test in report["tests"]] == ["pays", "retries then pays"]
    assert report["passed"] == 2 and report["failed"] == 0


def test_k_matching_nothing_is_an_error(invoke: Invoke, project: Path) -> None:
    result = invoke("test", str(project), "-k", "nothing like this")
    assert result.exit_code == 2 and "no test name contains" in result.stderr


def test_exitfirst_stops_at_the_first_failure(invoke: Invoke, project: Path, write: Write) -> None:
    spec = write(
        "two.yaml",
        {
            "definition": "billing.json",
            "tests": {
                "a": {"mocks": {"Bill": [{"Return": 1}]}, "expect": {"output": 2}},
                "b": {"mocks": {"Bill": [{"Return": 1}]}},
            },
        },
    )
    result = invoke("test", str(spec), "-x")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "1 test: 0 passed, 1 failed"


def test_mock_config_as_spec_runs_every_test_case(invoke: Invoke, project: Path) -> None:
    result = invoke("test", str(project.with_name("MockConfigFile.json")))
    assert result.exit_code == 1  # AlwaysDeclined fails: a MockConfigFile case passes only when it succeeds
    assert "PASS    billing#HappyPath" in result.stdout
    assert "FAIL    billing#AlwaysDeclined" in result.stdout


def test_mock_config_without_a_definition_beside_it_exits_two(invoke: Invoke, write: Write) -> None:
    result = invoke("test", str(write("alone/MockConfigFile.json", MOCK_CONFIG)))
    assert result.exit_code == 2
    assert "no definition for state machine 'billing'" in result.stderr
    assert "billing.asl.json" in result.stderr


def test_a_mock_for_an_unknown_state_is_an_error_row(invoke: Invoke, project: Path, write: Write) -> None:
    spec = write(
        "ghost.yaml", {"definition": "billing.json", "tests": {"ghost": {"mocks": {"Ghost": [{"Return": 1}]}}}}
    )
    result = invoke("test", str(spec))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].split()[:3] == ["ERROR", "ghost", "ERROR"]
    assert "'Ghost'" in result.stdout


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"definition": "billing.json", "tests": {"t": {"expect": {"stauts": "FAILED"}}}},
            "at /tests/t/expect/stauts: unknown field 'stauts' (did you mean 'status'?)",
        ),
        (
            {"definition": "billing.json", "tests": {"t": {"expect": {"status": "DONE"}}}},
            "at /tests/t/expect/status: expected one of SUCCEEDED, FAILED, TIMED_OUT, ABORTED, got 'DONE'",
        ),
        (
            {"definition": "billing.json", "tests": {"t": {"test_case": "HappyPath"}}},
            "at /tests/t/test_case: a test case needs 'mock_config' at the top of the spec",
        ),
        ({"definition": "billing.json", "tests": []}, "at /tests: expected an object mapping test names to tests"),
        ({"tests": {"t": {}}}, "at /definition: this field is required"),
        ({"definition": "missing.json", "tests": {"t": {}}}, "missing.json: no such file"),
        ({"States": {}}, "neither a test spec"),
    ],
)
def test_unusable_specs_exit_two_with_a_pointer(
    invoke: Invoke, project: Path, write: Write, spec: object, message: str
) -> None:
    result = invoke("test", str(write("bad.json", spec)))
    assert result.exit_code == 2
    assert message in result.stderr


def test_invalid_definition_in_a_spec_exits_two(invoke: Invoke, write: Write) -> None:
    write("bad.json", {"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": True}}})
    result = invoke("test", str(write("s.yaml", {"definition": "bad.json", "tests": {"t": {}}})))
    assert result.exit_code == 2
    assert "is not a valid state machine definition" in result.stderr


def test_yaml_errors_are_located(invoke: Invoke, write: Write) -> None:
    result = invoke("test", str(write("s.yaml", "tests:\n  a: [unclosed\n")))
    assert result.exit_code == 2
    assert "is not valid YAML or JSON" in result.stderr and "line 3" in result.stderr


def test_input_option_feeds_tests_without_input(invoke: Invoke, write: Write) -> None:
    write("echo.json", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    spec = write(
        "s.yaml",
        {
            "definition": "echo.json",
            "tests": {
                "given": {"input": {"a": 1}, "expect": {"output": {"a": 1}}},
                "default": {"expect": {"output": {"b": 2}}},
            },
        },
    )
    assert invoke("test", str(spec), "--input-json", '{"b": 2}').exit_code == 0


def test_input_file_is_relative_to_the_spec(invoke: Invoke, write: Write) -> None:
    write("echo.json", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    write("inputs/one.json", {"n": 1})
    spec = write(
        "s.yaml",
        {"definition": "echo.json", "tests": {"t": {"input_file": "inputs/one.json", "expect": {"output": {"n": 1}}}}},
    )
    assert invoke("test", str(spec)).exit_code == 0


def test_numbers_compare_by_value_but_booleans_stay_booleans() -> None:
    assert json_differences({"n": 1}, {"n": 1.0}) == []
    assert json_differences({"ok": True}, {"ok": 1}) == ["at /ok: expected true, got 1"]
    assert json_differences([1, 2], [1, 2, 3]) == ["at /: expected [1,2], got [1,2,3]"]
    assert json_differences({"a": {"b/c": 1}}, {"a": {"b/c": 2}}) == ["at /a/b~1c: expected 1, got 2"]
    assert json_differences({"a": 1}, {"a": 1, "z": 0}) == ["at /z: unexpected 0"]


ORDERED = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
RECEIPT = {"orderId": 7, "total": 42, "lines": [{"sku": "A", "qty": 1}], "meta": {"by": "asl"}}


def test_every_output_difference_is_reported(invoke: Invoke, write: Write) -> None:
    write("echo.json", ORDERED)
    expected = {"orderId": 8, "total": 42, "lines": [{"sku": "B", "qty": 1}], "shipped": True}
    spec = write(
        "s.yaml", {"definition": "echo.json", "tests": {"t": {"input": RECEIPT, "expect": {"output": expected}}}}
    )
    result = invoke("test", str(spec), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["tests"][0]["problems"] == [
        "output differs at /orderId: expected 8, got 7",
        'output differs at /lines/0/sku: expected "B", got "A"',
        "output differs at /shipped: missing (expected true)",
        'output differs at /meta: unexpected {"by":"asl"}',
    ]


def test_a_subset_match_ignores_keys_the_expected_output_does_not_name(invoke: Invoke, write: Write) -> None:
    write("echo.json", ORDERED)
    subset = {"output": {"orderId": 7, "lines": [{"sku": "A"}]}, "output_match": "subset"}
    wrong = {"output": {"orderId": 7, "lines": [{"sku": "B"}, {"sku": "C"}], "gone": 1}, "output_match": "subset"}
    spec = write(
        "s.yaml",
        {
            "definition": "echo.json",
            "tests": {
                "subset": {"input": RECEIPT, "expect": subset},
                "exact": {"input": RECEIPT, "expect": {"output": subset["output"]}},
                "wrong subset": {"input": RECEIPT, "expect": wrong},
            },
        },
    )
    result = invoke("test", str(spec), "--format", "json")
    assert result.exit_code == 1
    problems = {test["name"]: test["problems"] for test in json.loads(result.stdout)["tests"]}
    assert problems["subset"] == []
    assert problems["exact"] == [
        "output differs at /lines/0/qty: unexpected 1",
        "output differs at /total: unexpected 42",
        'output differs at /meta: unexpected {"by":"asl"}',
    ]
    assert problems["wrong subset"] == [
        'output differs at /lines: expected [{"sku":"B"},{"sku":"C"}], got [{"sku":"A","qty":1}]',
        "output differs at /gone: missing (expected 1)",
    ]


def test_output_match_is_checked(invoke: Invoke, write: Write) -> None:
    write("echo.json", ORDERED)
    spec = write(
        "s.yaml", {"definition": "echo.json", "tests": {"t": {"expect": {"output": {}, "output_match": "some"}}}}
    )
    result = invoke("test", str(spec))
    assert result.exit_code == 2
    assert "at /tests/t/expect/output_match: expected 'exact' or 'subset', got 'some'" in result.stderr


def test_spec_resources_answer_the_tasks_no_mock_answers(invoke: Invoke, project: Path, write: Write) -> None:
    write("impl/handlers.py", "def bill(event, context):\n    return {'paid': 'handler'}\n")
    write("impl/local.toml", '[lambda]\nBill = "handlers:bill"\n')
    spec = write(
        "r.yaml",
        {
            "definition": "billing.json",
            "resources": "impl/local.toml",
            "tests": {
                "handler": {"expect": {"output": {"paid": "handler"}}},
                "mock": {"mocks": {"Bill": [{"Return": {"paid": "mock"}}]}, "expect": {"output": {"paid": "mock"}}},
            },
        },
    )
    result = invoke("test", str(spec))
    assert result.exit_code == 0, result.stdout


def test_broken_resources_make_the_spec_unusable(invoke: Invoke, project: Path, write: Write) -> None:
    write("broken.toml", '[lambda]\nBill = "nowhere:bill"\n')
    spec = write("r.yaml", {"definition": "billing.json", "resources": "broken.toml", "tests": {"t": {}}})
    result = invoke("test", str(spec))
    assert result.exit_code == 2 and "cannot import module 'nowhere'" in result.stderr


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
def test_ctrl_c_stops_the_run_and_reports_what_ran(invoke: Invoke, write: Write) -> None:
    import threading

    write("quick.json", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    write("slow.json", {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}})
    spec = write("s.yaml", {"definition": "quick.json", "tests": {"quick": {}}})
    slow = write("t.yaml", {"definition": "slow.json", "tests": {"slow": {}}})
    main = threading.main_thread().ident
    assert main is not None
    timer = threading.Timer(0.5, signal.pthread_kill, (main, signal.SIGINT))  # Ctrl-C, as a terminal sends it
    timer.start()
    result = invoke("test", str(spec), str(slow), "--clock", "real")
    timer.cancel()
    assert result.exit_code == 130
    assert result.stdout.splitlines()[-1] == "1 test: 1 passed, 0 failed"
    assert "interrupted after 1 of 2 tests" in result.stderr
