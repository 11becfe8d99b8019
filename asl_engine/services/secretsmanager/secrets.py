"""The embedded Secrets Manager of one account: secrets, their versions and staging labels.

It starts empty and holds what the workflows (or ``asl.toml``, or the test) put in it. A secret is
found by its name, its full ARN or its ARN without the six random characters AWS appends. Each
value is a version (``VersionId``, a UUID or the ``ClientRequestToken``) with staging labels: the
newest is ``AWSCURRENT``, the one before ``AWSPREVIOUS``. A deleted secret is kept, marked, until
``RestoreSecret`` (its recovery window is not timed: it is never purged), unless deleted with
``ForceDeleteWithoutRecovery``. Not emulated: rotation, replication, resource policies, KMS keys
(``KmsKeyId`` is kept, nothing is encrypted).
"""

from __future__ import annotations

import re
import string
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from asl_engine.services.secretsmanager.errors import MARKED_FOR_DELETION, NOT_FOUND, SecretsError

_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}\Z")
_ARN = re.compile(r"arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:(?P<name>.+)\Z")
INVALID_NAME = (
    "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
)
CURRENT, PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"


@dataclass
class Version:
    id: str
    created: float
    string: str | None = None
    binary: bytes | None = None
    stages: list[str] = field(default_factory=list)


@dataclass
class Secret:
    name: str
    arn: str
    created: float
    description: str | None = None
    kms_key_id: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    versions: dict[str, Version] = field(default_factory=dict)
    last_changed: float = 0.0
    last_accessed: float | None = None
    deleted: float | None = None

    def version(self, version_id: str | None, stage: str | None) -> Version | None:
        if version_id is not None:
            found = self.versions.get(version_id)
            return found if found is not None and (stage is None or stage in found.stages) else None
        wanted = stage or CURRENT
        return next((v for v in self.versions.values() if wanted in v.stages), None)

    def stages(self) -> dict[str, list[str]]:
        return {v.id: list(v.stages) for v in self.versions.values() if v.stages}


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise SecretsError("ValidationException", INVALID_NAME)
    return name


class SecretsManagerService:
    """The secrets of one account."""

    def __init__(self) -> None:
        self._secrets: dict[str, Secret] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        with self._lock:
            return list(self._secrets)

    def secrets(self) -> list[Secret]:
        with self._lock:
            return list(self._secrets.values())

    def create(
        self,
        name: Any,
        *,
        region: str,
        account: str,
        now: float,
        rng: Any,
        string_value: str | None = None,
        binary_value: bytes | None = None,
        version_id: str | None = None,
        description: str | None = None,
        kms_key_id: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> Secret:
        name = check_name(name)
        if string_value is not None and binary_value is not None:
            raise SecretsError(
                "InvalidParameterException",
                "You can't specify both a binary secret value and a string secret value in the same secret.",
            )
        suffix = "".join(rng.choices(string.ascii_letters + string.digits, k=6))
        with self._lock:
            if name in self._secrets:
                raise SecretsError(
                    "ResourceExistsException", f"The operation failed because the secret {name} already exists."
                )
            secret = Secret(
                name, f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix}", now, description,
                kms_key_id, list(tags or []), last_changed=now,
            )  # fmt: skip
            self._secrets[name] = secret
            if string_value is not None or binary_value is not None:
                self._add_version(secret, string_value, binary_value, version_id or _uuid(rng), now, None)
        return secret

    def find(self, secret_id: Any, *, allow_deleted: bool = False) -> Secret:
        if not isinstance(secret_id, str) or not secret_id:
            raise SecretsError("InvalidParameterException", "You must provide a value for the SecretId parameter.")
        with self._lock:
            secret = self._secrets.get(secret_id)
            if secret is None:
                match = _ARN.match(secret_id)
                if match:
                    named = match["name"]
                    secret = next((s for s in self._secrets.values() if s.arn == secret_id or s.name == named), None)
        if secret is None:
            raise SecretsError("ResourceNotFoundException", NOT_FOUND)
        if secret.deleted is not None and not allow_deleted:
            raise SecretsError("InvalidRequestException", MARKED_FOR_DELETION)
        return secret

    def put_value(
        self,
        secret: Secret,
        string_value: str | None,
        binary_value: bytes | None,
        version_id: str,
        now: float,
        stages: list[str] | None = None,
    ) -> Version:
        if (string_value is None) == (binary_value is None):
            raise SecretsError(
                "InvalidRequestException", "You must provide either SecretString or SecretBinary."
                if string_value is None else
                "You can't specify both a binary secret value and a string secret value in the same secret.",
            )  # fmt: skip
        with self._lock:
            existing = secret.versions.get(version_id)
            if existing is not None:
                if existing.string != string_value or existing.binary != binary_value:
                    raise SecretsError(
                        "ResourceExistsException",
                        f"You can't modify an existing version, you can only create a new version. "
                        f"VersionId: {version_id}",
                    )
                return existing
            return self._add_version(secret, string_value, binary_value, version_id, now, stages)

    def _add_version(
        self, secret: Secret, string_value: str | None, binary_value: bytes | None, version_id: str, now: float,
        stages: list[str] | None,
    ) -> Version:  # fmt: skip
        labels = list(stages) if stages else [CURRENT]
        previous = next((v for v in secret.versions.values() if CURRENT in v.stages), None)
        # A staging label is on one version at a time: the new version's labels leave the others, and
        # the version that was AWSCURRENT becomes AWSPREVIOUS when the new one takes AWSCURRENT.
        for other in secret.versions.values():
            other.stages = [stage for stage in other.stages if stage not in labels]
        if CURRENT in labels and previous is not None:
            for other in secret.versions.values():
                other.stages = [stage for stage in other.stages if stage != PREVIOUS]
            previous.stages.append(PREVIOUS)
        version = Version(version_id, now, string_value, binary_value, labels)
        secret.versions[version_id] = version
        secret.last_changed = now
        return version

    def delete(self, secret: Secret, now: float, *, force: bool) -> None:
        with self._lock:
            if force:
                self._secrets.pop(secret.name, None)
            else:
                secret.deleted = now

    def restore(self, secret: Secret) -> None:
        with self._lock:
            secret.deleted = None


def _uuid(rng: Any) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
