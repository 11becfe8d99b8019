"""Lambda's errors as Step Functions reports them (``Lambda.<Exception>``, SDK for Java v1 causes)."""

from __future__ import annotations

from asl_engine.services.sdk_errors import OptimizedService

_LAMBDA_MODELED = frozenset(
    {
        "CallbackTimeoutException", "CodeSigningConfigNotFoundException", "CodeStorageExceededException",
        "CodeVerificationFailedException", "DurableExecutionAlreadyStartedException", "EC2AccessDeniedException",
        "EC2ThrottledException", "EC2UnexpectedException", "EFSIOException", "EFSMountConnectivityException",
        "EFSMountFailureException", "EFSMountTimeoutException", "ENILimitReachedException",
        "InvalidCodeSignatureException", "InvalidParameterValueException", "InvalidRequestContentException",
        "InvalidRuntimeException", "InvalidSecurityGroupIDException", "InvalidSubnetIDException",
        "InvalidZipFileException", "KMSAccessDeniedException", "KMSDisabledException", "KMSInvalidStateException",
        "KMSNotFoundException", "NoPublishedVersionException", "PolicyLengthExceededException",
        "PreconditionFailedException", "ProvisionedConcurrencyConfigNotFoundException",
        "RecursiveInvocationException", "RequestTooLargeException", "ResourceConflictException",
        "ResourceInUseException", "ResourceNotFoundException", "ResourceNotReadyException",
        "SerializedRequestEntityTooLargeException", "ServiceException", "SnapStartException",
        "SnapStartNotReadyException", "SnapStartTimeoutException", "SubnetIPAddressLimitReachedException",
        "TooManyRequestsException", "UnsupportedMediaTypeException",
    }
)  # fmt: skip

LAMBDA = OptimizedService("Lambda", "AWSLambda", "AWSLambdaException", _LAMBDA_MODELED)
