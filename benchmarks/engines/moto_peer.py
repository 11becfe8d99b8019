"""moto's Step Functions interpreter (the LocalStack engine), driven through boto3 as its users do.

Each run gets a fresh ``mock_aws`` backend and a freshly created state machine: moto 5.2 cannot
start a second execution in a backend that has run one (``start_execution`` deep-copies the state
machine and fails on a lock held by the finished execution). Backend start and CreateStateMachine
are outside the timed region; timed: StartExecution, then DescribeExecution polled (sleeping
0.5 ms, doubling to at most 10 ms) until the status is no longer RUNNING.

moto records the history of every execution (GetExecutionHistory), so it is reported as history
"on". It has no virtual clock: Wait states and retry intervals take their real time.
"""

from __future__ import annotations

import json
import logging
import os
import time
from time import perf_counter
from typing import Any

from benchmarks.cases import LoadedCase
from benchmarks.checks import Outcome

ROLE_ARN = "arn:aws:iam::123456789012:role/benchmark"
MOTO_CONFIG: Any = {"stepfunctions": {"execute_state_machine": True}}
WARMUP_DEFINITION = json.dumps(
    {
        "StartAt": "Add",
        "States": {
            "Add": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "Done"}],
                "Default": "Add",
            },
            "Done": {"Type": "Succeed"},
        },
    }
)


def unavailable() -> str | None:
    """Why moto cannot be measured here, or None."""
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
        from moto.stepfunctions.parser import api  # noqa: F401
    except ImportError as error:
        return f"moto[stepfunctions]/boto3 not installed ({error.name}): pip install -e '.[bench]'"
    return None


def version() -> str:
    import moto

    return str(moto.__version__)


def _prepare_environment() -> None:
    # Fake credentials for the mocked client only; moto never sends anything anywhere.
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        os.environ.setdefault(name, value)
    # moto logs every failed state with its whole parse tree; the runner reports failures itself.
    logging.getLogger("moto").setLevel(logging.CRITICAL)


class MotoRunner:
    def __init__(self, loaded: LoadedCase, history: bool) -> None:
        del history  # moto always records the history
        _prepare_environment()
        self.definition_text = loaded.definition_text
        self.machine_type = loaded.case.machine_type
        self.input_text = json.dumps(loaded.input)

    def warm_up(self) -> None:
        """Load moto's parser and interpreter once, on a tiny machine (the workloads take seconds)."""
        _execute(WARMUP_DEFINITION, "STANDARD", '{"n": 0}')

    def run_once(self) -> tuple[float, Outcome]:
        return _execute(self.definition_text, self.machine_type, self.input_text)


def _execute(definition_text: str, machine_type: str, input_text: str) -> tuple[float, Outcome]:
    import boto3
    from moto import mock_aws

    with mock_aws(config=MOTO_CONFIG):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        machine_arn = client.create_state_machine(
            name="benchmark", definition=definition_text, roleArn=ROLE_ARN, type=machine_type
        )["stateMachineArn"]
        started = perf_counter()
        execution_arn = client.start_execution(stateMachineArn=machine_arn, input=input_text)["executionArn"]
        delay = 0.0005
        description = client.describe_execution(executionArn=execution_arn)
        while description["status"] == "RUNNING":
            time.sleep(delay)
            delay = min(delay * 2, 0.01)
            description = client.describe_execution(executionArn=execution_arn)
        elapsed = perf_counter() - started
    output_text = description.get("output")
    output = json.loads(output_text) if output_text is not None else None
    return elapsed, Outcome(description["status"], output, description.get("error"), description.get("cause"))


def time_load(definition_text: str) -> float:
    """CreateStateMachine (moto parses the definition with its ANTLR grammar)."""
    import boto3
    from moto import mock_aws

    _prepare_environment()
    with mock_aws(config=MOTO_CONFIG):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        started = perf_counter()
        client.create_state_machine(name="benchmark", definition=definition_text, roleArn=ROLE_ARN)
        return perf_counter() - started
