"""Optimized integrations sent to an endpoint with boto3: the same parameters and results as the local
ones (``SdkHttpMetadata`` built from the real response's status and headers), and errors named by the
service's own rules.

Routed: ``dynamodb:getItem|putItem|updateItem|deleteItem``, ``lambda:invoke`` and Lambda function
ARNs, ``sqs:sendMessage``, ``sns:publish``, ``events:putEvents``, ``glue:startJobRun`` (``.sync`` polls
``GetJobRun``), and the S3 calls of a Distributed Map (``s3:getObject|listObjectsV2|putObject``).
``states:startExecution`` always runs the account's local machines.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from typing import Any

from asl_engine.errors import StatesError
from asl_engine.runtime.handlers import TaskRequest
from asl_engine.services.dynamodb.errors import DYNAMODB
from asl_engine.services.endpoints.failures import http_metadata, optimized_error, sdk_error
from asl_engine.services.endpoints.routing import Endpoints
from asl_engine.services.endpoints.shapes import from_botocore
from asl_engine.services.events.errors import EVENTS, FAILED_ENTRY
from asl_engine.services.glue.errors import GLUE
from asl_engine.services.lambda_.errors import LAMBDA
from asl_engine.services.sdk_errors import OptimizedService, SdkService
from asl_engine.services.sdk_metadata import compact_json, with_metadata
from asl_engine.services.sns.errors import SNS
from asl_engine.services.sqs.errors import SQS
from asl_engine.services.support import environment_of, json_text, parameters_object

S3_SDK = SdkService("S3", frozenset())
"""The Map's S3 calls report errors as the AWS SDK integration does (the model names the classes)."""
GLUE_POLL_SECONDS = 5.0
_GLUE_DONE = frozenset({"SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED"})


def _with_metadata(response: dict[str, Any], members: Mapping[str, Any]) -> dict[str, Any]:
    status, request_id, headers = http_metadata(response)
    return with_metadata(members, status_code=status, request_id=request_id, headers=headers)


async def _call(request: TaskRequest, endpoints: Endpoints, service: str, method: str, arguments: dict[str, Any],
                errors: OptimizedService | SdkService) -> dict[str, Any]:  # fmt: skip
    env = environment_of(request)
    client = endpoints.client(service, env.region)
    try:
        response: dict[str, Any] = await env.run_in_thread(lambda: getattr(client, method)(**arguments))
    except Exception as error:
        if isinstance(errors, OptimizedService):
            raise optimized_error(error, errors) from None
        raise sdk_error(error, errors.prefix, client.meta.service_model) from None
    return response


# -- DynamoDB --------------------------------------------------------------------------------------------


def _to_attribute_blobs(value: Any) -> Any:
    """Typed values as boto3 takes them: ``B``/``BS`` from base64 text to bytes."""
    if isinstance(value, Mapping):
        converted: dict[str, Any] = {}
        for key, item in value.items():
            if key == "B" and isinstance(item, str):
                converted[key] = base64.b64decode(item)
            elif key == "BS" and isinstance(item, list) and all(isinstance(x, str) for x in item):
                converted[key] = [base64.b64decode(x) for x in item]
            else:
                converted[key] = _to_attribute_blobs(item)
        return converted
    if isinstance(value, list):
        return [_to_attribute_blobs(item) for item in value]
    return value


def _from_attribute_blobs(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {key: _from_attribute_blobs(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list):
        return [_from_attribute_blobs(item) for item in value]
    return value


class RemoteDynamoDBTask:
    METHODS = {"getItem": "get_item", "putItem": "put_item", "updateItem": "update_item", "deleteItem": "delete_item"}

    def __init__(self, endpoints: Endpoints, action: str) -> None:
        self.endpoints = endpoints
        self.method = self.METHODS[action]

    def __call__(self, request: TaskRequest) -> Any:
        return self._run(request)

    async def _run(self, request: TaskRequest) -> dict[str, Any]:
        arguments = _to_attribute_blobs(dict(parameters_object(request)))
        response = await _call(request, self.endpoints, "dynamodb", self.method, arguments, DYNAMODB)
        return _with_metadata(response, _from_attribute_blobs(response))


# -- Lambda ----------------------------------------------------------------------------------------------


def _payload_bytes(value: Any) -> bytes:
    """``Payload`` as Lambda receives it: absent or null ``{}``, JSON text as it is, anything else as JSON."""
    if value is None:
        return b"{}"
    if isinstance(value, str):
        try:
            json.loads(value)
            return value.encode("utf-8")
        except ValueError:
            return json.dumps(value).encode("utf-8")
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _function_failure(response: dict[str, Any], payload: bytes) -> StatesError:
    """A function that raised: its error type and the error document, as Step Functions reports them."""
    text = payload.decode("utf-8", "replace")
    try:
        document = json.loads(text)
        error = document.get("errorType") if isinstance(document, dict) else None
    except ValueError:
        error = None
    return StatesError(str(error or response.get("FunctionError") or "Lambda.Unknown"), text)


class RemoteLambdaTask:
    """``lambda:invoke`` (``legacy=False``) or a function ARN used as the Resource (``legacy=True``)."""

    def __init__(self, endpoints: Endpoints, *, legacy: bool) -> None:
        self.endpoints = endpoints
        self.legacy = legacy

    def __call__(self, request: TaskRequest) -> Any:
        return self._run(request)

    async def _run(self, request: TaskRequest) -> Any:
        if self.legacy:
            arguments: dict[str, Any] = {
                "FunctionName": request.resource.arn,
                "Payload": _payload_bytes(request.parameters if request.parameters is not None else {}),
            }
        else:
            parameters = dict(parameters_object(request))
            arguments = {key: value for key, value in parameters.items() if key != "Payload"}
            arguments["Payload"] = _payload_bytes(parameters.get("Payload"))
        response = await _call(request, self.endpoints, "lambda", "invoke", arguments, LAMBDA)
        stream: Any = response.get("Payload")
        payload: bytes = stream.read() if hasattr(stream, "read") else bytes(stream or b"")
        if response.get("FunctionError"):
            raise _function_failure(response, payload)
        text = payload.decode("utf-8", "replace")
        try:
            value: Any = json.loads(text) if text else None
        except ValueError:
            value = text
        if self.legacy:
            return value
        members = {key: item for key, item in response.items() if key not in ("Payload", "ResponseMetadata")}
        members["Payload"] = value
        return _with_metadata(response, members)


# -- messaging -------------------------------------------------------------------------------------------


class RemoteMessagingTask:
    """``sqs:sendMessage``, ``sns:publish`` and ``events:putEvents`` (request-response and
    ``.waitForTaskToken``), the non-text values serialized as Step Functions sends them."""

    def __init__(self, endpoints: Endpoints, service: str) -> None:
        self.endpoints = endpoints
        self.service = service

    def __call__(self, request: TaskRequest) -> Any:
        return self._run(request)

    async def _run(self, request: TaskRequest) -> dict[str, Any]:
        parameters = dict(parameters_object(request))
        if self.service == "sqs":
            if parameters.get("MessageBody") is not None:
                parameters["MessageBody"] = json_text(parameters["MessageBody"])
            response = await _call(request, self.endpoints, "sqs", "send_message", parameters, SQS)
            return _with_metadata(response, from_botocore(response, None))
        if self.service == "sns":
            if parameters.get("Message") is not None:
                parameters["Message"] = json_text(parameters["Message"])
            response = await _call(request, self.endpoints, "sns", "publish", parameters, SNS)
            return _with_metadata(response, from_botocore(response, None))
        entries = [
            {**entry, "Detail": json_text(entry["Detail"])} if isinstance(entry, dict) and "Detail" in entry else entry
            for entry in parameters.get("Entries") or []
        ]
        response = await _call(
            request, self.endpoints, "events", "put_events", {**parameters, "Entries": entries}, EVENTS
        )
        answer = from_botocore(response, None)
        if answer.get("FailedEntryCount"):
            raise StatesError(FAILED_ENTRY, compact_json(answer))
        return dict(answer)


# -- Glue ------------------------------------------------------------------------------------------------


class RemoteGlueTask:
    def __init__(self, endpoints: Endpoints, *, sync: bool) -> None:
        self.endpoints = endpoints
        self.sync = sync

    def __call__(self, request: TaskRequest) -> Any:
        return self._run(request)

    async def _run(self, request: TaskRequest) -> dict[str, Any]:
        parameters = dict(parameters_object(request))
        response = await _call(request, self.endpoints, "glue", "start_job_run", parameters, GLUE)
        started = _with_metadata(response, {"JobName": parameters.get("JobName"), **from_botocore(response, None)})
        if not self.sync:
            return started
        request.submit(started)
        env = environment_of(request)
        arguments = {"JobName": parameters.get("JobName"), "RunId": response.get("JobRunId")}
        while True:
            polled = await _call(request, self.endpoints, "glue", "get_job_run", arguments, GLUE)
            run = polled.get("JobRun") or {}
            if run.get("JobRunState") in _GLUE_DONE:
                described = _epoch_millis(from_botocore(run, None), run)
                if run.get("JobRunState") != "SUCCEEDED":
                    raise StatesError("States.TaskFailed", compact_json(described))
                return described
            # The job takes real time, whatever the execution's clock: wait on a worker thread.
            await env.run_in_thread(time.sleep, GLUE_POLL_SECONDS)


def _epoch_millis(shown: dict[str, Any], raw: Mapping[str, Any]) -> dict[str, Any]:
    """GetJobRun's timestamps as the ``.sync`` result gives them (epoch milliseconds), keys sorted."""
    for key, value in raw.items():
        if hasattr(value, "timestamp"):
            shown[key] = round(value.timestamp() * 1000)
    return dict(sorted(shown.items()))


# -- S3 for a Distributed Map ----------------------------------------------------------------------------


class RemoteS3DataSource:
    """``s3:getObject|listObjectsV2|putObject`` on a Map's behalf, in the contract of ``s3.data_sources``."""

    def __init__(self, endpoints: Endpoints, action: str) -> None:
        self.endpoints = endpoints
        self.action = action

    def __call__(self, request: TaskRequest) -> Any:
        return self._run(request)

    async def _run(self, request: TaskRequest) -> Any:
        parameters = dict(parameters_object(request))
        if self.action == "getObject":
            response = await _call(request, self.endpoints, "s3", "get_object", parameters, S3_SDK)
            body = response["Body"]
            return body.read() if hasattr(body, "read") else body
        if self.action == "putObject":
            body = parameters.get("Body", "")
            parameters["Body"] = body.encode("utf-8") if isinstance(body, str) else body
            await _call(request, self.endpoints, "s3", "put_object", parameters, S3_SDK)
            return {}
        response = await _call(request, self.endpoints, "s3", "list_objects_v2", parameters, S3_SDK)
        contents = [
            {
                "Key": item["Key"],
                "ETag": item.get("ETag", ""),
                "LastModified": item["LastModified"].timestamp() if "LastModified" in item else 0.0,
                "Size": item.get("Size", 0),
                "StorageClass": item.get("StorageClass", "STANDARD"),
            }
            for item in response.get("Contents", [])
        ]
        page: dict[str, Any] = {"Contents": contents, "IsTruncated": bool(response.get("IsTruncated"))}
        if response.get("NextContinuationToken"):
            page["NextContinuationToken"] = response["NextContinuationToken"]
        return page


def optimized_handler(endpoints: Endpoints, service: str, action: str, pattern: str) -> Any | None:
    """The remote handler of an optimized resource, or None when it is not routed remotely."""
    if service == "dynamodb" and action in RemoteDynamoDBTask.METHODS and pattern == "request-response":
        return RemoteDynamoDBTask(endpoints, action)
    if service == "lambda" and action == "invoke" and pattern in ("request-response", "wait-for-task-token"):
        return RemoteLambdaTask(endpoints, legacy=False)
    messaging = (service, action) in (("sqs", "sendMessage"), ("sns", "publish"), ("events", "putEvents"))
    if messaging and pattern in ("request-response", "wait-for-task-token"):
        return RemoteMessagingTask(endpoints, service)
    if service == "glue" and action == "startJobRun" and pattern in ("request-response", "sync"):
        return RemoteGlueTask(endpoints, sync=pattern == "sync")
    if service == "s3" and action in ("getObject", "listObjectsV2", "putObject"):
        return RemoteS3DataSource(endpoints, action)
    return None
