"""Local AWS Lambda: Python handlers answering both Lambda forms of the Task state.

``functions`` holds the registrations, ``names`` parses FunctionName values, ``context`` is the
handler's ``context`` argument, ``runtime`` runs a handler as the Python runtime does, ``invoke``
resolves and prepares an invocation, ``json_copy`` copies events and results as a JSON round trip
would (without the text), and ``tasks`` adapts it to the two Step Functions resources.
"""

from asl_engine.services.lambda_.context import ClientContext, LambdaContext
from asl_engine.services.lambda_.functions import LambdaFunction, LambdaFunctions, LambdaHandler
from asl_engine.services.lambda_.invoke import LambdaService
from asl_engine.services.lambda_.runtime import LambdaError
from asl_engine.services.lambda_.tasks import LambdaInvokeTask, LegacyLambdaTask

__all__ = [
    "ClientContext",
    "LambdaContext",
    "LambdaError",
    "LambdaFunction",
    "LambdaFunctions",
    "LambdaHandler",
    "LambdaInvokeTask",
    "LambdaService",
    "LegacyLambdaTask",
]
