"""SNS's errors as Step Functions reports them (``SNS.<Exception>``, SDK for Java v1 causes).

Recorded on AWS: ``SNS.NotFoundException`` ("Topic does not exist", status 404, error code
``NotFound``) and ``SNS.InvalidParameterException`` ("Invalid parameter: ..."). The modelled codes
are the error shapes of SNS's API model; two of them name their class differently from the code.
"""

from __future__ import annotations

from asl_engine.services.sdk_errors import OptimizedService

_SNS_MODELED = frozenset(
    {
        "AuthorizationError", "BatchEntryIdsNotDistinct", "BatchRequestTooLong", "ConcurrentAccess",
        "EmptyBatchRequest", "EndpointDisabled", "FilterPolicyLimitExceeded", "InternalError", "InvalidBatchEntryId",
        "InvalidParameter", "ParameterValueInvalid", "InvalidSecurity", "InvalidState", "KMSAccessDenied",
        "KMSDisabled", "KMSInvalidState", "KMSNotFound", "KMSOptInRequired", "KMSThrottling", "NotFound", "OptedOut",
        "PlatformApplicationDisabled", "ReplayLimitExceeded", "ResourceNotFound", "StaleTag",
        "SubscriptionLimitExceeded", "TagLimitExceeded", "TagPolicy", "Throttled", "TooManyEntriesInBatchRequest",
        "TopicLimitExceeded", "UserError", "ValidationException", "VerificationException",
    }
)  # fmt: skip

SNS = OptimizedService(
    "SNS",
    "AmazonSNS",
    "AmazonSNSException",
    _SNS_MODELED,
    classes={"ParameterValueInvalid": "InvalidParameterValueException", "KMSOptInRequired": "KMSOptInRequired"},
)
