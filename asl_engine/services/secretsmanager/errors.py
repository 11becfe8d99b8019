"""Secrets Manager's errors as AWS SDK integrations report them (``SecretsManager.<Exception>``).

Recorded on AWS: an invalid name is Secrets Manager's ``ValidationException``, which its API model
does not list, so the SDK reports ``SecretsManager.SecretsManagerException`` with the cause
"Invalid name. Must be a valid name containing alphanumeric characters, or any of the following:
-/_+=.@! (Service: SecretsManager, Status Code: 400, Request ID: ...)".
"""

from __future__ import annotations

from asl_engine.services.sdk_errors import SdkService

_MODELED = frozenset(
    {
        "DecryptionFailure", "EncryptionFailure", "InternalServiceError", "InvalidNextTokenException",
        "InvalidParameterException", "InvalidRequestException", "LimitExceededException",
        "MalformedPolicyDocumentException", "PreconditionNotMetException", "PublicPolicyException",
        "ResourceExistsException", "ResourceNotFoundException",
    }
)  # fmt: skip

SECRETS_MANAGER = SdkService("SecretsManager", _MODELED)


class SecretsError(Exception):
    """A Secrets Manager API error: its wire code and message (the task turns it into the SDK's error)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


NOT_FOUND = "Secrets Manager can't find the specified secret."
MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion."
