"""The pytest plugin, run the way users run it: fixtures with no conftest, options, reports."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.testing.machines import order_json

pytest_plugins = "pytester"

QUIET = ("-p", "no:cacheprovider", "-p", "no:unraisableexception", "-p", "no:hypothesispytest", "-p", "no:benchmark")
"""Inner runs skip plugins they do not need: pytest's end-of-run garbage collection alone costs 0.3 s a run."""

HAPPY_TEST = """
from asl_engine.testing import assert_path, assert_succeeded

def test_plain_order(asl_machine, asl_env, asl_mocks):
    machine = asl_machine("order.json")
    asl_mocks.returns("Charge", {"id": 1}).returns("Ship", {})
    execution = asl_env.execute(machine, {"kind": "plain", "total": 5})
    assert_path(execution, ["Validate", "Route", "Charge", "Ship"])
    assert_succeeded(execution)
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".json", order=order_json())
    return pytester


def test_fixtures_need_no_conftest(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_flow=HAPPY_TEST
        + """
def test_clock_and_time(asl_machine, asl_env, asl_clock, asl_mocks):
    asl_mocks.returns("Charge", {}).returns("Ship", {})
    review = asl_env.start(asl_machine("order.json"), {"kind": "plain", "total": 5000})
    assert review.status == "RUNNING"
    asl_clock.advance(3599)
    assert review.execution.states_entered[-1] == "Review"
    assert asl_clock.run_to_next_timer() == 1
    assert review.status == "SUCCEEDED"
    assert asl_env.now().isoformat() == "2024-01-01T01:00:00+00:00"

def test_machine_from_a_dict(asl_machine):
    machine = asl_machine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    assert machine.execute({"a": 1}).output == {"a": 1}
"""
    )
    project.runpytest_inprocess(*QUIET).assert_outcomes(passed=3)


def test_a_failing_assertion_reads_like_the_question(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_flow="""
from asl_engine.testing import assert_caught

def test_declined(asl_machine, asl_env, asl_mocks):
    asl_mocks.raises("Charge", "Card.Busy", times=3)
    execution = asl_env.execute(asl_machine("order.json"), {"kind": "plain", "total": 5})
    assert_caught(execution, "Charge", error="Card.Declined", by="Refund")
"""
    )
    result = project.runpytest_inprocess(*QUIET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: expected state 'Charge' to catch Card.Declined (Catcher → Refund),",
            "E*but it caught Card.Busy with Catcher #1 → Alert",
            "E*what happened:",
            "E*    Validate",
            "E*    Route                        Default → Charge",
            "E*    Charge                       retried 2x (Card.Busy x2); caught Card.Busy → Alert",
            "E*    Alert                        failed: Order.Failed",
            "E*    execution FAILED: Order.Failed: the charge failed",
        ]
    )
    assert "asl_engine/testing" not in result.stdout.str()  # tracebacks stop at the test


UNUSED_TEST = """
def test_typo(asl_machine, asl_env, asl_mocks):
    asl_mocks.returns("Charge", {}).returns("Ship", {}).returns("Chrage", {})
    asl_env.execute(asl_machine("order.json"), {"kind": "plain", "total": 5})
"""


def test_unused_mocks_fail_the_test_when_asked(project: pytest.Pytester) -> None:
    project.makepyfile(test_flow=UNUSED_TEST)
    project.runpytest_inprocess(*QUIET).assert_outcomes(passed=1)
    result = project.runpytest_inprocess(*QUIET, "--asl-fail-on-unused-mocks")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*asl-engine: the mock for 'Chrage' was never called (no state 'Chrage' ran; did you mean 'Charge'?)"]
    )
    project.makeini("[pytest]\nasl_fail_on_unused_mocks = true\n")
    project.runpytest_inprocess(*QUIET).assert_outcomes(failed=1)


def test_unmocked_tasks_fail_the_test_when_asked(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_flow="""
from asl_engine.testing import assert_failed

def test_forgot_ship(asl_machine, asl_env, asl_mocks):
    asl_mocks.returns("Charge", {})
    execution = asl_env.execute(asl_machine("order.json"), {"kind": "plain", "total": 5})
    assert_failed(execution, "States.Runtime")
"""
    )
    project.runpytest_inprocess(*QUIET).assert_outcomes(passed=1)
    result = project.runpytest_inprocess(*QUIET, "--asl-fail-on-unmocked")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*asl-engine: Task state 'Ship' ran without a mock (resource arn:aws:states:::sqs:sendMessage, "
            "invocation 0); mock it with asl_mocks.returns('Ship', ...)"
        ]
    )


COVERAGE_TESTS = """
from asl_engine import StateMachine

def test_gift(asl_machine, asl_env, asl_mocks):
    asl_mocks.raises("Charge", "Card.Busy").returns("Charge", {}).returns("Ship", {})
    asl_env.execute(asl_machine("order.json"), {"kind": "gift", "total": 5})

def test_declined_directly(asl_machine):
    machine = StateMachine.from_file("order.json")   # not through a fixture: counted all the same
    machine.execute({"kind": "plain", "total": 5}, mocks={"Charge": [{"Throw": {"Error": "Card.Declined"}}]})
"""


def test_coverage_report_in_the_terminal(project: pytest.Pytester) -> None:
    project.makepyfile(test_cov=COVERAGE_TESTS)
    result = project.runpytest_inprocess(*QUIET, "--asl-cov")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*- asl-engine state machine coverage -*",
            "asl-engine coverage: 1 state machine, 2 executions",
            "State machine        States   Transitions  Choice rules      Retriers      Catchers   Cover",
            "-*",
            "order                   6/8           6/9           2/3           1/1           1/2   69.6%",
            "-*",
            "TOTAL                   6/8           6/9           2/3           1/1           1/2   69.6%",
            "",
            "Not covered:",
            "  order (order.json)",
            "    state       Review",
            "    state       Alert",
            "    transition  Route → Review (Choices[1])",
            "    transition  Review → Charge (Next)",
            "    transition  Charge → Alert (Catch[1])",
            "    choice rule Route Choices[1] $.total NumericGreaterThan 1000 → Review",
            "    catcher     Charge Catch[1] ['States.ALL'] → Alert",
        ]
    )
    assert result.ret == 0


def test_coverage_threshold_and_json_report(project: pytest.Pytester) -> None:
    project.makepyfile(test_cov=COVERAGE_TESTS)
    result = project.runpytest_inprocess(
        "-p", "no:cacheprovider", "--asl-cov-fail-under=90", "--asl-cov-report=reports/asl.json"
    )
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["FAIL Required state machine coverage of 90% not reached. Total coverage: 69.57%"])
    report = json.loads((project.path / "reports" / "asl.json").read_text())
    assert (report["version"], report["errors"]) == (1, [])
    assert report["totals"]["percent"] == 69.57
    (order,) = report["machines"]
    assert (order["name"], order["source"], order["executions"]) == ("order", "order.json", 2)
    assert order["states"]["items"][0] == {"state": "Validate", "type": "Pass", "hits": 2}
    assert {"state": "Charge", "retrier": 0, "error_equals": ["Card.Busy"], "hits": 1} in order["retriers"]["items"]
    assert order["choice_rules"]["items"][-1] == {"state": "Route", "rule": "Default", "next": "Charge", "hits": 1}
    passing = project.runpytest_inprocess(*QUIET, "--asl-cov-fail-under=60")
    assert passing.ret == 0


def test_history_snapshots_are_written_once_then_compared(project: pytest.Pytester) -> None:
    test = textwrap.dedent(
        """
        def test_snap(asl_machine, asl_env, asl_mocks, asl_snapshot):
            asl_mocks.returns("Charge", {"id": "CHARGE"}).returns("Ship", {})
            asl_snapshot.assert_match(asl_env.execute(asl_machine("order.json"), {"kind": "plain", "total": 5}))
        """
    )
    project.makepyfile(test_snap=test)
    first = project.runpytest_inprocess(*QUIET)
    first.assert_outcomes(passed=1)
    first.stdout.fnmatch_lines(["asl-engine snapshots: 1 written, 0 updated"])
    snapshot = project.path / "__asl_snapshots__" / "test_snap" / "test_snap.json"
    stored = json.loads(snapshot.read_text())
    assert stored["execution"] == {
        "status": "SUCCEEDED",
        "output": {"kind": "plain", "total": 5, "charge": {"id": "CHARGE"}},
    }
    project.runpytest_inprocess(*QUIET).assert_outcomes(passed=1)

    project.makepyfile(test_snap=test.replace('"CHARGE"', '"CHANGED"'))
    changed = project.runpytest_inprocess(*QUIET)
    changed.assert_outcomes(failed=1)
    changed.stdout.fnmatch_lines(
        [
            "E*AssertionError: the execution's history differs from the snapshot *test_snap.json",
            "E*--- snapshot",
            "E*+++ this run",
            '*-*"id": "CHARGE"',
            '*+*"id": "CHANGED"',
            "E*If the new history is right, accept it: pytest --asl-snapshot-update (or ASL_SNAPSHOT_UPDATE=1)",
        ]
    )
    updated = project.runpytest_inprocess(*QUIET, "--asl-snapshot-update")
    updated.assert_outcomes(passed=1)
    updated.stdout.fnmatch_lines(["asl-engine snapshots: 0 written, 1 updated"])
    assert "CHANGED" in snapshot.read_text()


def test_mock_config_file_from_the_ini_and_a_missing_machine_file(project: pytest.Pytester) -> None:
    project.makefile(
        ".json",
        MockConfigFile=json.dumps(
            {
                "StateMachines": {"order": {"TestCases": {"Declined": {"Charge": "Declined"}}}},
                "MockedResponses": {"Declined": {"0": {"Throw": {"Error": "Card.Declined"}}}},
            }
        ),
    )
    project.makeini("[pytest]\nasl_mock_config = MockConfigFile.json\n")
    project.makepyfile(
        test_case="""
from asl_engine.testing import assert_succeeded

def test_declined(asl_machine, asl_env, asl_mocks):
    asl_mocks.use_test_case("Declined")
    assert_succeeded(asl_env.execute(asl_machine("order.json"), {"kind": "plain", "total": 5}), "refunded")

def test_missing_file(asl_machine):
    asl_machine("nope.json")
"""
    )
    result = project.runpytest_inprocess(*QUIET)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*asl_machine: no state machine file 'nope.json' (looked in *"])
    project.makeini("[pytest]\n")
    project.runpytest_inprocess(*QUIET, "-k", "declined").assert_outcomes(failed=1)
    from_option = project.runpytest_inprocess(*QUIET, "-k", "declined", "--asl-mock-config=MockConfigFile.json")
    from_option.assert_outcomes(passed=1)


def test_options_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--help")
    result.stdout.fnmatch_lines(
        [
            "asl-engine: testing Step Functions state machines:",
            "  --asl-cov *",
            "  --asl-cov-fail-under=PERCENT",
            "  --asl-cov-report=FILE",
            "  --asl-snapshot-update",
            "  --asl-fail-on-unused-mocks",
            "  --asl-fail-on-unmocked",
            "  --asl-mock-config=FILE",
        ]
    )


def test_resources_answer_what_the_mocks_do_not(project: pytest.Pytester) -> None:
    project.makepyfile(
        handlers="""
def charge(event, context):
    return {"charged": event["total"], "by": "asl.toml"}
""",
        test_resources="""
from asl_engine.testing import assert_state_output, assert_succeeded

def test_a_local_lambda(asl_machine, asl_env, asl_resources, asl_mocks):
    @asl_resources.lambda_function("charge")
    def charge(event, context):
        return {"charged": event["total"]}

    asl_mocks.returns("Ship", {})
    execution = asl_env.execute(asl_machine("order.json"), {"kind": "plain", "total": 7})
    assert_state_output(execution, "Charge", {"kind": "plain", "total": 7, "charged_": 1})

def test_the_project_resources(asl_machine, asl_env, asl_mocks):
    asl_mocks.returns("Ship", {})
    execution = asl_env.execute(asl_machine("order.json"), {"kind": "plain", "total": 7})
    assert_succeeded(execution)
    assert execution.output["charge"] == {"charged": 7, "by": "asl.toml"}

def test_mocks_win_over_resources(asl_machine, asl_env, asl_mocks):
    asl_mocks.returns("Charge", "mocked").returns("Ship", {})
    assert asl_env.execute(asl_machine("order.json"), {"kind": "plain", "total": 7}).output["charge"] == "mocked"
""",
    )
    project.makefile(".toml", asl='[lambda]\ncharge = "handlers:charge"\n')
    project.makeini("[pytest]\nasl_resources = asl.toml\n")
    result = project.runpytest_inprocess(*QUIET)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            'E*AssertionError: expected \'Charge\' to output {"kind": "plain", "total": 7, "charged_": 1},',
            'E*but it output          {"kind": "plain", "total": 7, "charge": {"charged": 7}}',
            'E*(at /charged_: missing (expected 1); at /charge: unexpected {"charged":7})',
        ]
    )


def test_asl_outbox_gives_what_the_workflows_sent(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_outbox="""
def test_order_is_queued_and_the_token_answered(asl_machine, asl_env, asl_outbox, asl_resources):
    machine = asl_machine({
        "StartAt": "Queue",
        "States": {
            "Queue": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {
                    "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders-queue",
                    "MessageBody": {"order.$": "$.order", "token.$": "$$.Task.Token"},
                },
                "End": True,
            }
        },
    })
    running = asl_env.start(machine, {"order": 42})
    (message,) = asl_outbox.sqs("orders-queue")
    assert message.json()["order"] == 42
    asl_resources.send_task_success(message.json()["token"], {"queued": True})
    assert running.result().output == {"queued": True}
    assert asl_outbox.to_json()["sqs"]["orders-queue"][0]["sentBy"]["state"] == "Queue"
"""
    )
    pytester.runpytest_inprocess(*QUIET).assert_outcomes(passed=1)
