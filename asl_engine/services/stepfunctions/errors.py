"""Step Functions' own errors, as a ``states:startExecution`` task reports them
(``StepFunctions.<Exception>``; ``Sfn.<Exception>`` for ``aws-sdk:sfn``)."""

from __future__ import annotations

from asl_engine.services.sdk_errors import OptimizedService, SdkService

_STEP_FUNCTIONS_MODELED = frozenset(
    {
        "ActivityDoesNotExist", "ConflictException", "ExecutionAlreadyExists", "ExecutionDoesNotExist",
        "ExecutionLimitExceeded", "ExecutionNotRedrivable", "InvalidArn", "InvalidExecutionInput", "InvalidName",
        "InvalidOutput", "InvalidToken", "KmsAccessDeniedException", "KmsInvalidStateException",
        "KmsThrottlingException", "MissingRequiredParameter", "ResourceNotFound", "StateMachineDeleting",
        "StateMachineDoesNotExist", "TaskDoesNotExist", "TaskTimedOut", "ValidationException",
    }
)  # fmt: skip

STEP_FUNCTIONS = OptimizedService(
    "StepFunctions", "AWSStepFunctions", "AWSStepFunctionsException", _STEP_FUNCTIONS_MODELED
)
SDK_SFN = SdkService("Sfn", _STEP_FUNCTIONS_MODELED, attempt_count=True)
