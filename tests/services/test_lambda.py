"""Local Lambda functions behind both Task forms, compared with AWS's recorded shapes."""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

import pytest

from asl_engine import RealClock, StateMachine
from asl_engine.runtime import limits
from asl_engine.runtime.states import task
from asl_engine.services import LambdaContext, LambdaError, Resources
from tests.services.support import clock, events, task_machine

LEGACY = "arn:aws:lambda:us-east-1:123456789012:function:{}"
INVOKE = "arn:aws:states:::lambda:invoke"


class CustomException(Exception):
    pass


@pytest.fixture
def resources() -> Resources:
    resources = Resources()

    @resources.lambda_function("Echo")
    def echo(event: Any, context: LambdaContext) -> Any:
        return event

    @resources.lambda_function("Boom")
    def boom(event: Any, context: LambdaContext) -> Any:
        raise CustomException("it broke")

    return resources


def invoke(resources: Resources, parameters: dict[str, Any], **fields: Any) -> Any:
    return task_machine(INVOKE, Parameters=parameters, **fields).execute({}, resources=resources, clock=clock(), seed=3)


# -- the legacy function ARN ------------------------------------------------------------------------------


def test_legacy_result_is_the_return_value(resources: Resources) -> None:
    execution = task_machine(LEGACY.format("Echo")).execute({"a": [1, 2.5, "x"]}, resources=resources)
    assert execution.output == {"a": [1, 2.5, "x"]}
    assert [e["type"] for e in execution.history][2:5] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
    ]


@pytest.mark.parametrize("value", [0, 0.0, "HelloWorld", True, [], {}])
def test_legacy_json_values_come_back_unchanged(resources: Resources, value: Any) -> None:
    assert task_machine(LEGACY.format("Echo")).execute(value, resources=resources).output == value


def test_legacy_error_is_the_class_name_and_the_runtimes_spaced_json(resources: Resources) -> None:
    execution = task_machine(LEGACY.format("Boom")).execute({}, resources=resources, seed=1)
    assert execution.error == "CustomException"
    cause = json.loads(execution.cause or "")
    assert list(cause) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert (cause["errorMessage"], cause["errorType"]) == ("it broke", "CustomException")
    assert execution.cause == json.dumps(cause)  # spaced, as the Python runtime writes it
    (frame,) = cause["stackTrace"]
    assert frame.startswith('  File "') and "in boom\n" in frame and 'raise CustomException("it broke")' in frame
    assert events(execution, "LambdaFunctionFailed")[0]["error"] == "CustomException"


def test_invoke_error_cause_is_compact(resources: Resources) -> None:
    execution = invoke(resources, {"FunctionName": "Boom"})
    cause = json.loads(execution.cause or "")
    assert execution.error == "CustomException"
    assert execution.cause == json.dumps(cause, separators=(",", ":"))


def test_lambda_error_sets_type_message_and_trace() -> None:
    resources = Resources()

    @resources.lambda_function("Node")
    def node(event: Any, context: Any) -> Any:
        raise LambdaError("TypeError", "x is undefined", ["at handler (/var/task/index.js:3:9)"])

    execution = task_machine(LEGACY.format("Node")).execute({}, resources=resources)
    assert execution.error == "TypeError"
    cause = json.loads(execution.cause or "")
    assert (cause["errorMessage"], cause["stackTrace"]) == ("x is undefined", ["at handler (/var/task/index.js:3:9)"])


def test_context_object_of_the_python_runtime() -> None:
    seen: list[LambdaContext] = []
    resources = Resources()
    resources.lambda_function("Ctx", lambda event, context: seen.append(context) or {}, timeout=30, memory_size=512)
    machine = task_machine(INVOKE, Parameters={"FunctionName": "Ctx:12"}, TimeoutSeconds=10)
    machine.execute({}, resources=resources, clock=clock(), region="eu-west-1", account="111122223333")
    (context,) = seen
    assert context.function_name == "Ctx"
    assert context.function_version == "12"
    assert context.invoked_function_arn == "arn:aws:lambda:eu-west-1:111122223333:function:Ctx:12"
    assert context.memory_limit_in_mb == "512"
    assert context.log_group_name == "/aws/lambda/Ctx"
    assert context.log_stream_name.startswith("2024/01/01/[12]")
    assert context.get_remaining_time_in_millis() == 10_000  # the Task's timeout is the shorter one
    assert len(context.aws_request_id) == 36


def test_request_ids_follow_the_seed(resources: Resources) -> None:
    def request_id(seed: int) -> str:
        execution = task_machine(LEGACY.format("Boom")).execute({}, resources=resources, seed=seed)
        return str(json.loads(execution.cause or "")["requestId"])

    assert request_id(5) == request_id(5) != request_id(6)


def test_event_is_a_copy(resources: Resources) -> None:
    def mutate(event: dict[str, Any], context: Any) -> str:
        event["added"] = True
        return "done"

    resources.lambda_function("Mutate", mutate)
    machine = StateMachine.from_json(
        {
            "StartAt": "A",
            "States": {"A": {"Type": "Task", "Resource": LEGACY.format("Mutate"), "ResultPath": "$.r", "End": True}},
        }
    )
    assert machine.execute({"x": 1}, resources=resources).output == {"x": 1, "r": "done"}


# -- lambda:invoke ---------------------------------------------------------------------------------------


def test_invoke_response_has_aws_shape(resources: Resources) -> None:
    output = invoke(resources, {"FunctionName": "Echo", "Payload": {"k": "v"}}).output
    assert list(output) == ["ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"]
    assert (output["ExecutedVersion"], output["Payload"], output["StatusCode"]) == ("$LATEST", {"k": "v"}, 200)
    headers = output["SdkHttpMetadata"]["HttpHeaders"]
    assert list(headers) == [
        "Connection",
        "Content-Length",
        "Content-Type",
        "Date",
        "X-Amz-Executed-Version",
        "x-amzn-Remapped-Content-Length",
        "x-amzn-RequestId",
        "X-Amzn-Trace-Id",
    ]
    assert headers["Content-Length"] == str(len('{"k": "v"}'))
    assert headers["Date"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert output["SdkHttpMetadata"]["AllHttpHeaders"]["Content-Type"] == ["application/json"]
    assert output["SdkResponseMetadata"]["RequestId"] == headers["x-amzn-RequestId"]


@pytest.mark.parametrize(
    ("payload", "event"),
    [(None, {}), ("0.0", 0.0), ('"HelloWorld"', "HelloWorld"), ("{}", {}), ("not json", "not json"), ([1], [1])],
)
def test_payload_text_that_is_json_is_sent_as_is(resources: Resources, payload: Any, event: Any) -> None:
    assert invoke(resources, {"FunctionName": "Echo", "Payload": payload}).output["Payload"] == event


def test_bytes_return_value_is_the_body() -> None:
    resources = Resources()
    resources.lambda_function("Raw", lambda event, context: b'"HelloWorld!"')
    resources.lambda_function("Text", lambda event, context: b"plain text")
    assert invoke(resources, {"FunctionName": "Raw"}).output["Payload"] == "HelloWorld!"
    assert invoke(resources, {"FunctionName": "Text"}).output["Payload"] == "plain text"


@pytest.mark.parametrize(
    "name",
    [
        "Echo",
        "Echo:prod",
        "123456789012:function:Echo",
        "arn:aws:lambda:us-east-1:123456789012:function:Echo",
        "arn:aws:lambda:us-east-1:123456789012:function:Echo:$LATEST",
    ],
)
def test_function_name_forms(resources: Resources, name: str) -> None:
    assert invoke(resources, {"FunctionName": name, "Payload": 1}).output["Payload"] == 1


def test_unknown_function_gives_lambdas_not_found_error(resources: Resources) -> None:
    execution = invoke(resources, {"FunctionName": "Missing"})
    assert execution.error == "Lambda.ResourceNotFoundException"
    assert execution.cause is not None
    assert execution.cause.startswith(
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:Missing:$LATEST (Service: AWSLambda; "
        "Status Code: 404; Error Code: ResourceNotFoundException; Request ID: "
    )
    assert execution.cause.endswith("; Proxy: null)")
    legacy = task_machine(LEGACY.format("Missing") + ":blue").execute({}, resources=resources)
    assert legacy.error == "Lambda.ResourceNotFoundException"
    assert "function:Missing:blue (Service" in (legacy.cause or "")


def test_invalid_function_name_is_a_validation_error(resources: Resources) -> None:
    execution = invoke(resources, {"FunctionName": "not a name"})
    assert execution.error == "Lambda.AWSLambdaException"
    assert "Value 'not a name' at 'functionName' failed to satisfy constraint" in (execution.cause or "")
    assert "Error Code: ValidationException" in (execution.cause or "")


def test_conflicting_qualifiers(resources: Resources) -> None:
    execution = invoke(resources, {"FunctionName": "Echo:1", "Qualifier": "2"})
    assert execution.error == "Lambda.InvalidParameterValueException"
    assert (execution.cause or "").startswith(
        "The derived qualifier from the function name does not match the specified qualifier."
    )
    assert invoke(resources, {"FunctionName": "Echo", "Qualifier": "3"}).output["ExecutedVersion"] == "3"


def test_event_and_dry_run_invocations(resources: Resources) -> None:
    calls: list[Any] = []
    resources.lambda_function("Record", lambda event, context: calls.append(event))
    event = invoke(resources, {"FunctionName": "Record", "InvocationType": "Event", "Payload": {"n": 1}}).output
    assert (event["StatusCode"], event["Payload"], event["SdkHttpMetadata"]["HttpStatusCode"]) == (202, "", 202)
    assert "ExecutedVersion" not in event
    dry = invoke(resources, {"FunctionName": "Record", "InvocationType": "DryRun"}).output
    assert (dry["StatusCode"], dry["Payload"]) == (204, "")
    assert calls == [{"n": 1}]  # the Event call ran, the DryRun did not
    bad = invoke(resources, {"FunctionName": "Record", "InvocationType": "Sometimes"})
    assert bad.error == "Lambda.AWSLambdaException"
    assert "Member must satisfy enum value set: [Event, RequestResponse, DryRun]" in (bad.cause or "")


def test_log_tail(resources: Resources) -> None:
    def chatty(event: Any, context: LambdaContext) -> str:
        context.log("hello from the function\n")
        return "ok"

    resources.lambda_function("Chatty", chatty)
    output = invoke(resources, {"FunctionName": "Chatty", "LogType": "Tail"}).output
    log = base64.b64decode(output["LogResult"]).decode()
    request_id = output["SdkResponseMetadata"]["RequestId"]
    assert log.startswith(f"START RequestId: {request_id} Version: $LATEST\nhello from the function\nEND RequestId:")
    assert "REPORT RequestId:" in log and "Memory Size: 128 MB" in log
    assert "LogResult" not in invoke(resources, {"FunctionName": "Chatty"}).output


def test_client_context(resources: Resources) -> None:
    seen: list[Any] = []
    resources.lambda_function("Client", lambda event, context: seen.append(context.client_context) or 1)
    encoded = base64.b64encode(json.dumps({"custom": {"a": 1}, "client": {"app_title": "t"}}).encode()).decode()
    invoke(resources, {"FunctionName": "Client", "ClientContext": encoded})
    assert (seen[0].custom, seen[0].client.app_title) == ({"a": 1}, "t")
    bad = invoke(resources, {"FunctionName": "Client", "ClientContext": "%%%"})
    assert bad.error == "Lambda.InvalidRequestContentException"


def test_unserializable_result_is_a_marshal_error(resources: Resources) -> None:
    resources.lambda_function("Set", lambda event, context: {1, 2})
    execution = invoke(resources, {"FunctionName": "Set"})
    assert execution.error == "Runtime.MarshalError"
    cause = json.loads(execution.cause or "")
    assert cause["errorMessage"] == "Unable to marshal response: Object of type set is not JSON serializable"
    assert cause["stackTrace"] == []


def test_results_over_6_mb_are_lambdas_error_and_over_256_kib_step_functions(resources: Resources) -> None:
    resources.lambda_function("Huge", lambda event, context: "x" * 6_300_000)
    resources.lambda_function("Big", lambda event, context: "x" * 300_000)
    huge = invoke(resources, {"FunctionName": "Huge"})
    assert huge.error == "Function.ResponseSizeTooLarge"
    assert "exceeded maximum allowed payload size (6291556 bytes)" in (huge.cause or "")
    big = invoke(resources, {"FunctionName": "Big"})
    assert (big.error, big.cause) == (
        "States.DataLimitExceeded",
        "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit.",
    )
    legacy = task_machine(LEGACY.format("Big")).execute({}, resources=resources)
    assert legacy.cause == (
        f"The state/task '{LEGACY.format('Big')}' returned a result with a size exceeding the maximum number of "
        "bytes service limit."
    )


def test_a_copied_result_is_measured_against_the_quota_only_when_its_bound_could_exceed_it(
    resources: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A legacy Lambda Task's plain result comes with a bound of its JSON text (``plain_copy``): within
    the 256 KiB quota the Task does not encode it again (``TaskRequest.result_within_quota``); beyond,
    it measures, and a result that is in fact small still succeeds."""
    measured: list[Any] = []

    def counting(value: Any) -> bool:
        measured.append(value)
        return limits.exceeds_payload_limit(value)

    monkeypatch.setattr(task, "exceeds_payload_limit", counting)
    resources.lambda_function("Small", lambda event, context: {"id": event.get("id"), "text": "é" * 21_000})
    resources.lambda_function("Wide", lambda event, context: "x" * 70_000)  # bound 840,002; 70,002 bytes
    resources.lambda_function("Big", lambda event, context: "x" * 300_000)
    small = task_machine(LEGACY.format("Small")).execute({"id": 7}, resources=resources)
    assert small.status == "SUCCEEDED" and small.output == {"id": 7, "text": "é" * 21_000}
    assert measured == []  # bound 2 + 3 x (6 + 12 x 4) + 2 + 12 x 21,000 < 262,144: not measured
    wide = task_machine(LEGACY.format("Wide")).execute({}, resources=resources)
    assert wide.status == "SUCCEEDED" and measured == ["x" * 70_000]
    big = task_machine(LEGACY.format("Big")).execute({}, resources=resources)
    assert big.error == "States.DataLimitExceeded" and len(measured) == 2


def test_function_errors_are_retried_and_caught(resources: Resources) -> None:
    attempts: list[int] = []

    def flaky(event: Any, context: Any) -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise CustomException("not yet")
        return "finally"

    resources.lambda_function("Flaky", flaky)
    machine = task_machine(LEGACY.format("Flaky"), Retry=[{"ErrorEquals": ["CustomException"], "MaxAttempts": 2}])
    assert machine.execute({}, resources=resources).output == "finally"
    caught = StateMachine.from_json(
        {
            "StartAt": "A",
            "States": {
                "A": {
                    "Type": "Task",
                    "Resource": LEGACY.format("Boom"),
                    "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "B"}],
                    "End": True,
                },
                "B": {"Type": "Pass", "End": True},
            },
        }
    ).execute({}, resources=resources)
    assert caught.output["Error"] == "CustomException"


# -- threads and time ------------------------------------------------------------------------------------


def test_real_clock_runs_the_handler_on_a_worker_thread(resources: Resources) -> None:
    import threading

    names: list[str] = []
    resources.lambda_function("Where", lambda event, context: names.append(threading.current_thread().name) or 1)
    invoke_real = task_machine(INVOKE, Parameters={"FunctionName": "Where"})
    assert invoke_real.execute({}, resources=resources, clock=RealClock()).output["Payload"] == 1
    task_machine(INVOKE, Parameters={"FunctionName": "Where"}).execute({}, resources=resources, clock=clock())
    assert names[0] == "lambda-Where"
    assert names[1] == threading.current_thread().name


class StuckFunction:
    """A Lambda handler that blocks until the test releases it, and says whether it ever returned: an
    execution that ends while the handler is still blocked was ended by a timeout, not by the handler."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.returned = threading.Event()

    def __call__(self, event: Any, context: Any) -> str:
        self.release.wait(60)
        self.returned.set()
        return "late"


def test_function_timeout_under_a_real_clock() -> None:
    resources, slow = Resources(), StuckFunction()
    resources.lambda_function("Slow", slow, timeout=0.2)
    try:
        execution = task_machine(INVOKE, Parameters={"FunctionName": "Slow"}).execute(
            {}, resources=resources, clock=RealClock()
        )
        assert not slow.returned.is_set()
    finally:
        slow.release.set()
    assert execution.error == "Sandbox.Timedout"
    cause = json.loads(execution.cause or "")
    assert cause["errorType"] == "Sandbox.Timedout"
    assert cause["errorMessage"].endswith("Error: Task timed out after 0.20 seconds")


def test_task_timeout_interrupts_a_slow_function() -> None:
    resources, slow = Resources(), StuckFunction()
    resources.lambda_function("Slow", slow, timeout=60)
    try:
        execution = task_machine(LEGACY.format("Slow"), TimeoutSeconds=1).execute(
            {}, resources=resources, clock=RealClock()
        )
        assert not slow.returned.is_set()
    finally:
        slow.release.set()
    assert (execution.error, execution.cause) == ("States.Timeout", None)
    assert execution.history[-2]["type"] == "LambdaFunctionTimedOut"


def test_wait_for_task_token_gets_the_token_and_waits(resources: Resources) -> None:
    tokens: list[str] = []
    resources.lambda_function("Ask", lambda event, context: tokens.append(event["token"]) or {"queued": True})
    machine = task_machine(
        INVOKE + ".waitForTaskToken", Parameters={"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token"}}
    )
    handle = machine.start({}, resources=resources, clock=clock())
    token = handle.wait_for_task_token("Call")
    assert tokens == [token]
    handle.send_task_success(token, {"approved": True})
    execution = handle.wait(5)
    assert execution.output == {"approved": True}
    submitted = json.loads(events(execution, "TaskSubmitted")[0]["output"])
    assert submitted["Payload"] == {"queued": True} and submitted["StatusCode"] == 200


@pytest.mark.parametrize(
    ("parameters", "problem"),
    [
        ({"FunctionName": 7}, "[The value of the field 'FunctionName' must be a string]"),
        ({"FunctionName": "Echo", "Qualifier": 1}, "[The value of the field 'Qualifier' must be a string]"),
    ],
)
def test_unusable_parameters_fail_the_execution(resources: Resources, parameters: dict[str, Any], problem: str) -> None:
    execution = invoke(resources, parameters)
    assert execution.error == "States.Runtime"
    assert execution.cause is not None
    assert execution.cause.startswith(
        "An error occurred while executing the state 'Call' (entered at the event id #2). The Parameters '"
    )
    assert execution.cause.endswith(f"could not be used to start the Task: {problem}")


def test_parameters_must_be_an_object(resources: Resources) -> None:
    execution = task_machine(INVOKE, Parameters={"x.$": "$.missing"}, InputPath="$.value").execute(
        {"value": {"missing": 3}}, resources=resources
    )
    assert execution.error == "States.Runtime" and "Task: [The value of the field 'FunctionName'" in (
        execution.cause or ""
    )
    scalar = task_machine(INVOKE, InputPath="$.value").execute({"value": 3}, resources=resources)
    assert (
        scalar.error,
        scalar.cause.endswith("[The Parameters must be a JSON object]") if scalar.cause else None,
    ) == ("States.Runtime", True)
