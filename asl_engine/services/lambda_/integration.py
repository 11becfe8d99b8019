"""Lambda's row in the table: both forms of a Lambda Task, and the ``[lambda]`` section.

* ``arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`` (the legacy form);
* ``arn:aws:states:::lambda:invoke`` and ``.waitForTaskToken`` (the optimized integration).
"""

from __future__ import annotations

from asl_engine.services.integration import Integration, Route
from asl_engine.services.lambda_ import config
from asl_engine.services.lambda_.functions import LambdaFunctions
from asl_engine.services.lambda_.invoke import LambdaService
from asl_engine.services.lambda_.tasks import LambdaInvokeTask, LegacyLambdaTask

INVOKE = Route("service", "lambda", frozenset({"invoke"}), ("request-response", "wait-for-task-token"))
FUNCTION_ARN = Route("lambda-function", "lambda")

INTEGRATION: Integration[LambdaService] = Integration(
    name="lambda",
    new_state=lambda: LambdaService(LambdaFunctions()),
    routes=(
        (FUNCTION_ARN, lambda service, resource, account: LegacyLambdaTask(service)),
        (INVOKE, lambda service, resource, account: LambdaInvokeTask(service)),
    ),
    section="lambda",
    configure=config.configure,
    describe=lambda service: f"lambda={service.functions.names()}",
)
