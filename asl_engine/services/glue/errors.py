"""Glue's errors as Step Functions reports them (``Glue.<Exception>``, SDK for Java v1 causes)."""

from __future__ import annotations

from asl_engine.services.sdk_errors import OptimizedService

_GLUE_MODELED = frozenset(
    {
        "AccessDeniedException", "AlreadyExistsException", "ConcurrentModificationException",
        "ConcurrentRunsExceededException", "ConflictException", "EntityNotFoundException",
        "GlueEncryptionException", "IdempotentParameterMismatchException", "InternalServerException",
        "InternalServiceException", "InvalidInputException", "InvalidStateException",
        "OperationNotSupportedException", "OperationTimeoutException", "ResourceNotFoundException",
        "ResourceNotReadyException", "ResourceNumberLimitExceededException", "ThrottlingException",
        "ValidationException",
    }
)  # fmt: skip

GLUE = OptimizedService("Glue", "AWSGlue", "AWSGlueException", _GLUE_MODELED)
