"""SQS's errors as Step Functions reports them (``SQS.<Exception>``, SDK for Java v1 causes).

SQS speaks a JSON protocol that keeps the old query protocol's error codes for compatibility, and
the SDK quotes those codes in its causes (``Error Code: MissingParameter``, recorded on AWS), while
naming the exception after the API model's error shape (``QueueDoesNotExistException`` for
``AWS.SimpleQueueService.NonExistentQueue``). Codes the model has no shape for become the SDK's
base class, ``SQS.AmazonSQSException`` (recorded: a missing ``MessageBody``).
"""

from __future__ import annotations

from asl_engine.services.sdk_errors import OptimizedService

_SQS_MODELED = frozenset(
    {
        "BatchEntryIdsNotDistinct", "BatchRequestTooLong", "EmptyBatchRequest", "InvalidAddress",
        "InvalidAttributeName", "InvalidAttributeValue", "InvalidBatchEntryId", "InvalidIdFormat",
        "InvalidMessageContents", "InvalidSecurity", "KmsAccessDenied", "KmsDisabled", "KmsInvalidKeyUsage",
        "KmsInvalidState", "KmsNotFound", "KmsOptInRequired", "KmsThrottled", "MessageNotInflight", "OverLimit",
        "PurgeQueueInProgress", "QueueDeletedRecently", "QueueDoesNotExist", "QueueNameExists",
        "ReceiptHandleIsInvalid", "RequestThrottled", "ResourceNotFoundException", "TooManyEntriesInBatchRequest",
        "UnsupportedOperation",
    }
)  # fmt: skip

NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"

SQS = OptimizedService(
    "SQS",
    "AmazonSQS",
    "AmazonSQSException",
    _SQS_MODELED,
    classes={NON_EXISTENT_QUEUE: "QueueDoesNotExistException"},
)
