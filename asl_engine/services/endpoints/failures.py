"""What a failed remote call becomes in the execution: the error names and causes Step Functions gives.

* AWS SDK integrations: ``<Prefix>.<Exception>`` where the API model has an error shape for the
  code (its name, with ``Exception`` appended when it lacks it), else ``<Prefix>.<Prefix>Exception``;
  cause ``<message> (Service: <Prefix>, Status Code: <n>, Request ID: <id>)`` (S3 adds its extended
  request id).
* Optimized integrations: the service's own rules (``sdk_errors.OptimizedService``), as the local
  integrations report them.
* A call that gets no answer (the endpoint is down): ``<Prefix>.SdkClientException``, "Unable to
  execute HTTP request: ...", as the SDK reports it.
"""

from __future__ import annotations

from typing import Any

from asl_engine.errors import StatesError
from asl_engine.services.sdk_errors import OptimizedService, exception_class


def wire_error(error: Any) -> tuple[str, str, int, str, dict[str, str]] | None:
    """(code, message, status, request id, headers) of a botocore ``ClientError``; None for other errors."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict) or "Error" not in response:
        return None
    details = response.get("Error") or {}
    metadata = response.get("ResponseMetadata") or {}
    headers = dict(metadata.get("HTTPHeaders") or {})
    request_id = str(metadata.get("RequestId") or headers.get("x-amzn-requestid") or "")
    return (
        str(details.get("Code") or "Unknown"),
        str(details.get("Message") or ""),
        int(metadata.get("HTTPStatusCode") or 400),
        request_id,
        headers,
    )


def modeled_classes(model: Any) -> dict[str, str]:
    """Wire code -> exception class, from the API model's error shapes."""
    classes: dict[str, str] = {}
    for shape in model.error_shapes:
        name = exception_class(shape.name)
        classes[shape.name] = name
        code = shape.metadata.get("error", {}).get("code")
        if code:
            classes[code] = name
    return classes


def sdk_error(error: Exception, prefix: str, model: Any) -> StatesError:
    """An AWS SDK integration's failure, named as Step Functions names it."""
    wire = wire_error(error)
    if wire is None:
        return StatesError(f"{prefix}.SdkClientException", f"Unable to execute HTTP request: {error}")
    code, message, status, request_id, headers = wire
    details = getattr(error, "response", {}).get("Error") or {}
    # A JSON service that keeps its query protocol's codes (SQS) names its error shape separately.
    classes = modeled_classes(model)
    name = classes.get(str(details.get("QueryErrorCode") or ""), classes.get(code, f"{prefix}Exception"))
    cause = f"{message} (Service: {prefix}, Status Code: {status}, Request ID: {request_id}"
    extended = headers.get("x-amz-id-2")
    cause += f", Extended Request ID: {extended})" if extended else ")"
    return StatesError(f"{prefix}.{name}", cause)


def optimized_error(error: Exception, service: OptimizedService) -> StatesError:
    """An optimized integration's failure, named by the service's rules."""
    wire = wire_error(error)
    if wire is None:
        return StatesError(f"{service.prefix}.SdkClientException", f"Unable to execute HTTP request: {error}")
    code, message, status, request_id, _ = wire
    return service.error(code, message, status_code=status, request_id=request_id)


def http_metadata(response: dict[str, Any]) -> tuple[int, str, dict[str, str]]:
    """(status, request id, headers) of a botocore response, for ``SdkHttpMetadata``."""
    metadata = response.get("ResponseMetadata") or {}
    headers = {str(name): str(value) for name, value in (metadata.get("HTTPHeaders") or {}).items()}
    return int(metadata.get("HTTPStatusCode") or 200), str(metadata.get("RequestId") or ""), headers
