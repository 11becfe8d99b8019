"""EventBridge's errors as Step Functions reports them.

An entry EventBridge refuses does not fail the call: PutEvents answers with a per-entry
``ErrorCode`` and ``FailedEntryCount``. The optimized integration turns any failed entry into the
task's failure ``EventBridge.FailedEntry``, with the whole answer as JSON for cause (recorded on
AWS). A request EventBridge refuses as a whole (more than ten entries) is a service error,
``EventBridge.<Exception>`` with the SDK for Java v1 cause.
"""

from __future__ import annotations

from asl_engine.services.sdk_errors import OptimizedService

_EVENTS_MODELED = frozenset(
    {
        "AccessDeniedException", "ConcurrentModificationException", "IllegalStatusException", "InternalException",
        "InvalidEventPatternException", "InvalidStateException", "LimitExceededException", "ManagedRuleException",
        "OperationDisabledException", "PolicyLengthExceededException", "ResourceAlreadyExistsException",
        "ResourceNotFoundException", "ThrottlingException",
    }
)  # fmt: skip

EVENTS = OptimizedService("EventBridge", "AmazonEventBridge", "AmazonEventBridgeException", _EVENTS_MODELED)
FAILED_ENTRY = "EventBridge.FailedEntry"
