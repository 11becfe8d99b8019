"""``arn:aws:states:::aws-sdk:secretsmanager:<action>``, answered by the embedded Secrets Manager.

Actions: ``createSecret``, ``getSecretValue``, ``putSecretValue``, ``updateSecret``,
``describeSecret``, ``listSecrets``, ``deleteSecret``, ``restoreSecret``. Results are the API's
members (no SDK metadata, as with every AWS SDK integration), timestamps as ISO-8601 text and
binary values as base64 text (``SecretBinary`` is given as base64 too); errors are
``SecretsManager.<Exception>`` with the SDK's cause.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from asl_engine.runtime.handlers import TaskRequest
from asl_engine.runtime.history import format_timestamp
from asl_engine.services.sdk_metadata import uuid_request_id
from asl_engine.services.secretsmanager.errors import SECRETS_MANAGER, SecretsError
from asl_engine.services.secretsmanager.secrets import Secret, SecretsManagerService, Version
from asl_engine.services.support import environment_of, parameters_object

ACTIONS = frozenset(
    {
        "createSecret", "getSecretValue", "putSecretValue", "updateSecret", "describeSecret", "listSecrets",
        "deleteSecret", "restoreSecret",
    }
)  # fmt: skip
MAX_LIST_RESULTS = 100


class SecretsManagerTask:
    """Answers ``arn:aws:states:::aws-sdk:secretsmanager:<action>`` for the supported actions."""

    def __init__(self, service: SecretsManagerService, action: str) -> None:
        self.service = service
        actions: dict[str, Callable[[TaskRequest, Mapping[str, Any]], dict[str, Any]]] = {
            "createSecret": self._create,
            "getSecretValue": self._get_value,
            "putSecretValue": self._put_value,
            "updateSecret": self._update,
            "describeSecret": self._describe,
            "listSecrets": self._list,
            "deleteSecret": self._delete,
            "restoreSecret": self._restore,
        }
        self._call = actions[action]

    def __call__(self, request: TaskRequest) -> dict[str, Any]:
        parameters = parameters_object(request)
        try:
            return self._call(request, parameters)
        except SecretsError as error:
            env = environment_of(request)
            raise SECRETS_MANAGER.error(
                error.code, error.message, status_code=400, request_id=uuid_request_id(env.random)
            ) from None

    def _create(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        env = environment_of(request)
        secret = self.service.create(
            parameters.get("Name"),
            region=env.region,
            account=env.account,
            now=env.now(),
            rng=env.random,
            string_value=_optional_text(parameters, "SecretString"),
            binary_value=_binary(parameters),
            version_id=_optional_text(parameters, "ClientRequestToken"),
            description=_optional_text(parameters, "Description"),
            kms_key_id=_optional_text(parameters, "KmsKeyId"),
            tags=_tags(parameters),
        )
        answer: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
        current = secret.version(None, None)
        if current is not None:
            answer["VersionId"] = current.id
        return answer

    def _get_value(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        secret = self.service.find(parameters.get("SecretId"))
        version_id = _optional_text(parameters, "VersionId")
        stage = _optional_text(parameters, "VersionStage")
        version = secret.version(version_id, stage)
        if version is None:
            label = f"staging label: {stage or 'AWSCURRENT'}" if version_id is None else f"VersionId: {version_id}"
            raise SecretsError(
                "ResourceNotFoundException", f"Secrets Manager can't find the specified secret value for {label}"
            )
        secret.last_accessed = environment_of(request).now()
        answer: dict[str, Any] = {
            "ARN": secret.arn,
            "CreatedDate": format_timestamp(version.created),
            "Name": secret.name,
        }
        answer.update(_value(version))
        answer["VersionId"] = version.id
        answer["VersionStages"] = list(version.stages)
        return answer

    def _put_value(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        env = environment_of(request)
        secret = self.service.find(parameters.get("SecretId"))
        stages = parameters.get("VersionStages")
        if stages is not None and (not isinstance(stages, list) or not all(isinstance(s, str) for s in stages)):
            raise SecretsError("InvalidParameterException", "VersionStages must be a list of staging labels.")
        version = self.service.put_value(
            secret,
            _optional_text(parameters, "SecretString"),
            _binary(parameters),
            _optional_text(parameters, "ClientRequestToken")
            or str(uuid.UUID(int=env.random.getrandbits(128), version=4)),
            env.now(),
            stages,
        )
        return {"ARN": secret.arn, "Name": secret.name, "VersionId": version.id, "VersionStages": list(version.stages)}

    def _update(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        env = environment_of(request)
        secret = self.service.find(parameters.get("SecretId"))
        for field_name, attribute in (("Description", "description"), ("KmsKeyId", "kms_key_id")):
            value = _optional_text(parameters, field_name)
            if value is not None:
                setattr(secret, attribute, value)
                secret.last_changed = env.now()
        answer: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
        text, binary = _optional_text(parameters, "SecretString"), _binary(parameters)
        if text is not None or binary is not None:
            version_id = _optional_text(parameters, "ClientRequestToken") or str(
                uuid.UUID(int=env.random.getrandbits(128), version=4)
            )
            answer["VersionId"] = self.service.put_value(secret, text, binary, version_id, env.now()).id
        return answer

    def _describe(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        return _description(self.service.find(parameters.get("SecretId"), allow_deleted=True), "VersionIdsToStages")

    def _list(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        include_deleted = parameters.get("IncludePlannedDeletion") is True
        filters = _filters(parameters.get("Filters"))
        secrets = [
            secret
            for secret in self.service.secrets()
            if (include_deleted or secret.deleted is None)
            and all(_passes(secret, key, values) for key, values in filters)
        ]
        if parameters.get("SortOrder") == "desc":
            secrets.reverse()
        limit = parameters.get("MaxResults", MAX_LIST_RESULTS)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST_RESULTS:
            raise SecretsError("InvalidParameterException", "MaxResults must be between 1 and 100.")
        start = 0
        token = parameters.get("NextToken")
        if token is not None:
            try:
                start = int(str(token))
            except ValueError:
                raise SecretsError("InvalidNextTokenException", "The NextToken value is invalid.") from None
        page = secrets[start : start + limit]
        answer: dict[str, Any] = {"SecretList": [_description(secret, "SecretVersionsToStages") for secret in page]}
        if start + limit < len(secrets):
            answer["NextToken"] = str(start + limit)
        return answer

    def _delete(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        env = environment_of(request)
        secret = self.service.find(parameters.get("SecretId"), allow_deleted=True)
        force = parameters.get("ForceDeleteWithoutRecovery") is True
        window = parameters.get("RecoveryWindowInDays")
        if force and window is not None:
            raise SecretsError(
                "InvalidParameterException",
                "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
            )
        days = 30 if window is None else window
        if isinstance(days, bool) or not isinstance(days, int) or not 7 <= days <= 30:
            raise SecretsError(
                "InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
            )
        if secret.deleted is not None and not force:
            raise SecretsError(
                "InvalidRequestException", "You can't delete secret that is already marked for deletion."
            )
        now = env.now()
        self.service.delete(secret, now, force=force)
        deletion = now if force else now + days * 86400
        return {"ARN": secret.arn, "DeletionDate": format_timestamp(deletion), "Name": secret.name}

    def _restore(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        secret = self.service.find(parameters.get("SecretId"), allow_deleted=True)
        self.service.restore(secret)
        return {"ARN": secret.arn, "Name": secret.name}


def _optional_text(parameters: Mapping[str, Any], name: str) -> str | None:
    value = parameters.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SecretsError("InvalidParameterException", f"Invalid type for parameter {name}: expected a string.")
    return value


def _binary(parameters: Mapping[str, Any]) -> bytes | None:
    text = _optional_text(parameters, "SecretBinary")
    if text is None:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SecretsError("InvalidParameterException", "SecretBinary must be base64-encoded.") from None


def _tags(parameters: Mapping[str, Any]) -> list[dict[str, str]]:
    tags = parameters.get("Tags", [])
    if not isinstance(tags, list) or not all(
        isinstance(tag, Mapping) and isinstance(tag.get("Key"), str) and isinstance(tag.get("Value", ""), str)
        for tag in tags
    ):
        raise SecretsError("InvalidParameterException", "Tags must be a list of {Key, Value} objects.")
    return [{"Key": tag["Key"], "Value": tag.get("Value", "")} for tag in tags]


def _value(version: Version) -> dict[str, Any]:
    if version.binary is not None:
        return {"SecretBinary": base64.b64encode(version.binary).decode("ascii")}
    return {"SecretString": version.string}


def _description(secret: Secret, stages_key: str) -> dict[str, Any]:
    described: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    if secret.description is not None:
        described["Description"] = secret.description
    if secret.kms_key_id is not None:
        described["KmsKeyId"] = secret.kms_key_id
    described["CreatedDate"] = format_timestamp(secret.created)
    described["LastChangedDate"] = format_timestamp(secret.last_changed)
    if secret.last_accessed is not None:
        described["LastAccessedDate"] = format_timestamp(secret.last_accessed)
    if secret.deleted is not None:
        described["DeletedDate"] = format_timestamp(secret.deleted)
    if secret.tags:
        described["Tags"] = [dict(tag) for tag in secret.tags]
    described[stages_key] = secret.stages()
    return described


_FILTER_KEYS = ("name", "description", "tag-key", "tag-value", "all")


def _filters(value: Any) -> list[tuple[str, list[str]]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SecretsError("InvalidParameterException", "Filters must be a list.")
    parsed = []
    for item in value:
        key = item.get("Key") if isinstance(item, Mapping) else None
        values = item.get("Values") if isinstance(item, Mapping) else None
        if key not in _FILTER_KEYS or not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise SecretsError(
                "InvalidParameterException",
                f"Filters: Key must be one of {', '.join(_FILTER_KEYS)}, with string Values.",
            )
        parsed.append((str(key), list(values)))
    return parsed


def _passes(secret: Secret, key: str, values: list[str]) -> bool:
    """Secrets Manager's list filters: prefix matches; a value starting with ``!`` excludes."""
    fields = {
        "name": [secret.name],
        "description": [secret.description or ""],
        "tag-key": [tag["Key"] for tag in secret.tags],
        "tag-value": [tag["Value"] for tag in secret.tags],
    }
    candidates = [text for texts in fields.values() for text in texts] if key == "all" else fields[key]
    for value in values:
        negated = value.startswith("!")
        prefix = value[1:] if negated else value
        hit = any(text.startswith(prefix) for text in candidates)
        if hit == negated:
            return False
    return True
