"""``arn:aws:states:::aws-sdk:<service>:<action>`` sent to the service's endpoint with boto3."""

from __future__ import annotations

from typing import Any

from asl_engine.runtime.handlers import TaskRequest
from asl_engine.services.endpoints.failures import sdk_error
from asl_engine.services.endpoints.naming import error_prefix, operation_name, service_model
from asl_engine.services.endpoints.routing import Endpoints
from asl_engine.services.endpoints.shapes import ParameterProblem, from_botocore, to_botocore
from asl_engine.services.support import environment_of, parameters_error


class RemoteSdkTask:
    """Calls the API action with boto3 on a worker thread; the result in Step Functions' shape."""

    def __init__(self, endpoints: Endpoints, service: str, action: str) -> None:
        self.endpoints = endpoints
        self.service = service
        self.action = action

    def __call__(self, request: TaskRequest) -> Any:
        return self._call(request)

    async def _call(self, request: TaskRequest) -> Any:
        env = environment_of(request)
        client = self.endpoints.client(self.service, env.region)
        model = client.meta.service_model
        try:
            operation = model.operation_model(operation_name(model, self.action))
        except KeyError:
            raise parameters_error(
                request, f"The API action '{self.action}' is not an action of the service '{self.service}'"
            ) from None
        parameters = {} if request.parameters is None else request.parameters
        try:
            arguments = to_botocore(parameters, operation.input_shape) if operation.input_shape is not None else {}
        except ParameterProblem as problem:
            raise parameters_error(request, str(problem)) from None
        method = getattr(client, _python_name(client, operation.name))
        prefix = error_prefix(model.service_id)
        try:
            response = await env.run_in_thread(lambda: method(**arguments))
        except Exception as error:
            if type(error).__name__ == "ParamValidationError":
                raise parameters_error(request, str(error).replace("\n", " ")) from None
            raise sdk_error(error, prefix, service_model(model.service_name)) from None
        return from_botocore(response, operation.output_shape) if operation.output_shape is not None else {}


def _python_name(client: Any, operation: str) -> str:
    """boto3's method for an operation (``PutItem`` -> ``put_item``)."""
    for python_name, api_name in client.meta.method_to_api_mapping.items():
        if api_name == operation:
            return str(python_name)
    raise KeyError(operation)
