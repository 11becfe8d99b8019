"""``load_resources``: a ``Resources`` described by a TOML file (``asl.toml``).

::

    [lambda]
    ProcessOrder = "handlers:process_order"        # module:function
    [lambda.BillCustomer]                          # or a table, with the function's settings
    handler = "handlers:bill_customer"
    timeout = 10                                   # seconds (default 3, as Lambda)
    memory_size = 256                              # MB (default 128)

    [glue.jobs.nightly-etl]
    handler = "jobs:run_etl"
    max_concurrent_runs = 1
    default_arguments = { "--stage" = "dev" }

    [dynamodb]
    path = "data.sqlite3"                          # optional: keep tables between runs
    [dynamodb.tables.Orders]
    hash_key = "pk:S"
    range_key = "sk:S"
    seed = "seed/orders.json"                      # a JSON list of items (plain or typed)
    global_indexes = [{ name = "ByStatus", hash_key = "status:S" }]

    [s3]
    path = "s3-data"                               # optional: buckets are its subdirectories, objects files
    [s3.buckets.orders-in]                         # a bucket (created even when empty)
    "2024/orders.csv" = "data/orders.csv"          # object key = local file whose bytes it holds

    [state_machines]
    Child = "child.json"                           # or { definition = "child.json", type = "EXPRESS" }

    [handlers]
    "arn:aws:states:::sqs:sendMessage" = "handlers:send_message"

    [executor]                                     # where Distributed Map children run
    use = "processes:4"                            # in-process, processes[:N], dask, dask://HOST:PORT
    batch_size = 100                               # children per task sent to a worker

Paths and modules resolve relative to the file's directory (a module not found there is imported
normally). Every mistake is a ``ConfigurationError`` naming the file and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from asl_engine.definition.suggest import did_you_mean
from asl_engine.errors import ConfigurationError
from asl_engine.services.integration import Integration
from asl_engine.services.registry import ExecutorConfig, Resources
from asl_engine.services.sections import ConfigSection, Location, only_keys, table_at
from asl_engine.services.table import INTEGRATIONS

HANDLERS_SECTION = "handlers"
"""Generic handlers by Resource (``Resources.handler``): a section that is not a service's."""
EXECUTOR_SECTION = "executor"
"""Where Distributed Map children run: kept as ``Resources.executor_config`` (read by ``asl_engine.executors``)."""
EXECUTOR_KEYS = ("use", "batch_size", "retries", "upload")


def load_resources(path: str | Path, *, integrations: Sequence[Integration[Any]] = INTEGRATIONS) -> Resources:
    """Read a resources file and build the ``Resources`` it describes (``integrations``: as ``Resources``)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot read resources file {file}: {error.strerror or error}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{file}: not valid TOML: {error}") from None
    resources = _load(file, document, integrations)
    resources.source = file.resolve()
    return resources


def _load(file: Path, document: Mapping[str, Any], integrations: Sequence[Integration[Any]]) -> Resources:
    base = file.resolve().parent
    root = Location(file)
    configured = [integration for integration in integrations if integration.section is not None]
    sections = [*(str(integration.section) for integration in configured), HANDLERS_SECTION, EXECUTOR_SECTION]
    unknown = [key for key in document if key not in sections]
    if unknown:
        hint = did_you_mean(unknown[0], sections)
        raise (root / unknown[0]).error(
            f"unknown section{f' ({hint})' if hint else ''}; expected one of {', '.join(sorted(sections))}"
        )
    values = {section: table_at(document.get(section, {}), root / section) for section in sections}
    resources = Resources(integrations=integrations)
    for integration in configured:
        section = str(integration.section)
        if integration.configure is not None:
            integration.configure(ConfigSection(values[section], root / section, base), resources.state(integration))
    _handlers(resources, ConfigSection(values[HANDLERS_SECTION], root / HANDLERS_SECTION, base))
    if EXECUTOR_SECTION in document:
        resources.executor_config = _executor(values[EXECUTOR_SECTION], root / EXECUTOR_SECTION)
    return resources


def _executor(section: dict[str, Any], where: Location) -> ExecutorConfig:
    only_keys(section, EXECUTOR_KEYS, where)
    use = section.get("use", "in-process")
    if not isinstance(use, str) or not use:
        raise (where / "use").error(
            f"expected an executor: in-process, processes[:N], dask or dask://HOST:PORT, got {use!r}"
        )
    numbers: dict[str, int | None] = {}
    for key, minimum in (("batch_size", 1), ("retries", 0)):
        value = section.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < minimum):
            raise (where / key).error(f"expected an integer of at least {minimum}, got {value!r}")
        numbers[key] = value
    upload = section.get("upload", True)
    if not isinstance(upload, bool):
        raise (where / "upload").error(f"expected true or false, got {upload!r}")
    use_at = where / "use"
    return ExecutorConfig(use, numbers["batch_size"], numbers["retries"], f"{use_at.file}: {use_at.key}", upload)


def _handlers(resources: Resources, section: ConfigSection) -> None:
    for resource, spec in section.values.items():
        where = section.where / resource
        function = section.callable(spec, where)
        try:
            resources.handler(resource, function)
        except ConfigurationError as error:
            raise where.error(str(error)) from None
