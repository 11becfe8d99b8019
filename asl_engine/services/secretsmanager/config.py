"""The ``[secretsmanager]`` section of ``asl.toml``: secrets the account starts with.

::

    [secretsmanager.secrets]
    db-password = "hunter2"                         # a SecretString
    api-config = { file = "config/api.json", description = "API settings" }   # its text from a file
"""

from __future__ import annotations

import random
import time

from asl_engine.services.secretsmanager.errors import SecretsError
from asl_engine.services.secretsmanager.secrets import SecretsManagerService
from asl_engine.services.sections import ConfigSection, only_keys, table_at


def configure(section: ConfigSection, service: SecretsManagerService) -> None:
    only_keys(section.values, ("secrets",), section.where)
    secrets = table_at(section.values.get("secrets", {}), section.where / "secrets")
    for name, spec in secrets.items():
        where = section.where / "secrets" / name
        description = None
        if isinstance(spec, str):
            value = spec
        else:
            options = table_at(spec, where)
            only_keys(options, ("value", "file", "description"), where)
            if ("value" in options) == ("file" in options):
                raise where.error("give the secret's 'value' or the 'file' holding it (one of them)")
            description = options.get("description")
            if description is not None and not isinstance(description, str):
                raise (where / "description").error("expected text")
            if "file" in options:
                path = section.base / str(options["file"])
                try:
                    value = path.read_text(encoding="utf-8")
                except OSError as error:
                    raise (where / "file").error(f"cannot read {path}: {error.strerror or error}") from None
            else:
                value = options["value"]
                if not isinstance(value, str):
                    raise (where / "value").error("expected text")
        try:
            service.create(
                name, region="us-east-1", account="123456789012", now=round(time.time(), 3), rng=random.Random(name),
                string_value=value, description=description,
            )  # fmt: skip
        except SecretsError as error:
            raise where.error(error.message) from None
