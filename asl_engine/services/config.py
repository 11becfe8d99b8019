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

Paths and modules resolve relative to the file's directory (a module not found there is imported
normally). Every mistake is a ``ConfigurationError`` naming the file and the key.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import sys
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from asl_engine.errors import AslEngineError, ConfigurationError
from asl_engine.runtime.loading import load_machine
from asl_engine.services.dynamodb import IndexSpec, TableSpec
from asl_engine.services.glue.jobs import WORKER_TYPES
from asl_engine.services.registry import Resources

_KEY_TYPES = ("S", "N", "B")
_SECTIONS = ("lambda", "glue", "dynamodb", "s3", "state_machines", "handlers")


class _Location:
    """Where in which file a value sits, for error messages (``asl.toml: lambda.ProcessOrder``)."""

    def __init__(self, file: Path, key: str = "") -> None:
        self.file = file
        self.key = key

    def __truediv__(self, key: str) -> _Location:
        shown = key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)
        return _Location(self.file, f"{self.key}.{shown}" if self.key else shown)

    def error(self, message: str) -> ConfigurationError:
        where = f"{self.file}: {self.key}" if self.key else str(self.file)
        return ConfigurationError(f"{where}: {message}")


def load_resources(path: str | Path) -> Resources:
    """Read a resources file and build the ``Resources`` it describes."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot read resources file {file}: {error.strerror or error}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{file}: not valid TOML: {error}") from None
    return _Loader(file).load(document)


class _Loader:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.base = file.resolve().parent
        self.root = _Location(file)

    def load(self, document: Mapping[str, Any]) -> Resources:
        unknown = [key for key in document if key not in _SECTIONS]
        if unknown:
            raise (self.root / unknown[0]).error(f"unknown section; expected one of {', '.join(_SECTIONS)}")
        dynamodb = _table(document.get("dynamodb", {}), self.root / "dynamodb")
        path = dynamodb.get("path")
        if path is not None and not isinstance(path, str):
            raise (self.root / "dynamodb" / "path").error(f"expected a file path string, got {path!r}")
        s3 = _table(document.get("s3", {}), self.root / "s3")
        s3_path = s3.get("path")
        if s3_path is not None and not isinstance(s3_path, str):
            raise (self.root / "s3" / "path").error(f"expected a directory path string, got {s3_path!r}")
        resources = Resources(
            dynamodb_path=self.base / path if path is not None else None,
            s3_path=self.base / s3_path if s3_path is not None else None,
        )
        self._lambdas(resources, _table(document.get("lambda", {}), self.root / "lambda"))
        self._glue(resources, _table(document.get("glue", {}), self.root / "glue"))
        self._dynamodb(resources, dynamodb)
        self._s3(resources, s3)
        self._state_machines(resources, _table(document.get("state_machines", {}), self.root / "state_machines"))
        self._handlers(resources, _table(document.get("handlers", {}), self.root / "handlers"))
        return resources

    # -- sections ------------------------------------------------------------------------------------

    def _lambdas(self, resources: Resources, section: Mapping[str, Any]) -> None:
        for name, spec in section.items():
            where = self.root / "lambda" / name
            options = _settings(spec, where, ("handler", "timeout", "memory_size"))
            handler = self._callable(options.pop("handler"), where / "handler" if isinstance(spec, dict) else where)
            try:
                resources.lambda_function(name, handler, **options)
            except ConfigurationError as error:
                raise where.error(str(error)) from None

    def _glue(self, resources: Resources, section: Mapping[str, Any]) -> None:
        unknown = [key for key in section if key != "jobs"]
        if unknown:
            raise (self.root / "glue" / unknown[0]).error("unknown key; Glue jobs go in [glue.jobs.<name>]")
        jobs = _table(section.get("jobs", {}), self.root / "glue" / "jobs")
        allowed = (
            "handler",
            "max_concurrent_runs",
            "default_arguments",
            "glue_version",
            "worker_type",
            "number_of_workers",
            "timeout",
        )
        for name, spec in jobs.items():
            where = self.root / "glue" / "jobs" / name
            options = _settings(spec, where, allowed)
            run = self._callable(options.pop("handler"), where / "handler" if isinstance(spec, dict) else where)
            arguments = options.get("default_arguments", {})
            if not isinstance(arguments, dict) or not all(isinstance(v, str) for v in arguments.values()):
                raise (where / "default_arguments").error("expected a table of string values")
            if "worker_type" in options and options["worker_type"] not in WORKER_TYPES:
                raise (where / "worker_type").error(f"expected one of {', '.join(WORKER_TYPES)}")
            try:
                resources.glue_job(name, run, **options)
            except ConfigurationError as error:
                raise where.error(str(error)) from None

    def _dynamodb(self, resources: Resources, section: Mapping[str, Any]) -> None:
        unknown = [key for key in section if key not in ("path", "tables")]
        if unknown:
            raise (self.root / "dynamodb" / unknown[0]).error("unknown key; expected 'path' or 'tables'")
        tables = _table(section.get("tables", {}), self.root / "dynamodb" / "tables")
        for name, spec in tables.items():
            where = self.root / "dynamodb" / "tables" / name
            options = _table(spec, where)
            allowed = ("hash_key", "range_key", "seed", "global_indexes", "local_indexes")
            _only(options, allowed, where)
            if "hash_key" not in options:
                raise where.error("missing 'hash_key' (e.g. hash_key = \"pk:S\")")
            table = TableSpec(
                name,
                _key(options["hash_key"], where / "hash_key"),
                _key(options["range_key"], where / "range_key") if "range_key" in options else None,
                tuple(self._indexes(options.get("global_indexes", []), where / "global_indexes")),
                tuple(self._indexes(options.get("local_indexes", []), where / "local_indexes")),
            )
            items = self._seed(options["seed"], where / "seed") if "seed" in options else None
            try:
                resources.dynamodb_table(table, items)
            except AslEngineError as error:
                raise where.error(str(error)) from None

    def _s3(self, resources: Resources, section: Mapping[str, Any]) -> None:
        unknown = [key for key in section if key not in ("path", "buckets")]
        if unknown:
            raise (self.root / "s3" / unknown[0]).error("unknown key; expected 'path' or 'buckets'")
        buckets = _table(section.get("buckets", {}), self.root / "s3" / "buckets")
        for bucket, objects in buckets.items():
            where = self.root / "s3" / "buckets" / bucket
            try:
                resources.s3_bucket(bucket)
            except ConfigurationError as error:
                raise where.error(str(error)) from None
            for key, source in _table(objects, where).items():
                at = where / key
                if not isinstance(source, str):
                    raise at.error(f"expected the path of the local file the object holds, got {source!r}")
                file = self.base / source
                try:
                    body = file.read_bytes()
                except OSError as error:
                    raise at.error(f"cannot read {file}: {error.strerror or error}") from None
                try:
                    resources.s3_object(bucket, key, body)
                except AslEngineError as error:
                    raise at.error(str(error)) from None

    def _indexes(self, value: Any, where: _Location) -> list[IndexSpec]:
        if not isinstance(value, list):
            raise where.error('expected a list of tables such as [{ name = "ByStatus", hash_key = "status:S" }]')
        indexes = []
        for position, spec in enumerate(value):
            at = where / str(position)
            options = _table(spec, at)
            _only(options, ("name", "hash_key", "range_key", "projection", "non_key_attributes"), at)
            if not isinstance(options.get("name"), str) or "hash_key" not in options:
                raise at.error("an index needs 'name' and 'hash_key'")
            projection = options.get("projection", "ALL")
            if projection not in ("ALL", "KEYS_ONLY", "INCLUDE"):
                raise (at / "projection").error("expected ALL, KEYS_ONLY or INCLUDE")
            non_key = options.get("non_key_attributes", [])
            if not isinstance(non_key, list) or not all(isinstance(n, str) for n in non_key):
                raise (at / "non_key_attributes").error("expected a list of attribute names")
            indexes.append(IndexSpec(
                options["name"], _key(options["hash_key"], at / "hash_key"),
                _key(options["range_key"], at / "range_key") if "range_key" in options else None,
                projection, tuple(non_key),
            ))  # fmt: skip
        return indexes

    def _seed(self, value: Any, where: _Location) -> list[dict[str, Any]]:
        if not isinstance(value, str):
            raise where.error("expected the path of a JSON file holding a list of items")
        file = self.base / value
        try:
            items = json.loads(file.read_text(encoding="utf-8"))
        except OSError as error:
            raise where.error(f"cannot read {file}: {error.strerror or error}") from None
        except ValueError as error:
            raise where.error(f"{file} is not valid JSON: {error}") from None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise where.error(f"{file} must hold a JSON list of item objects")
        return items

    def _state_machines(self, resources: Resources, section: Mapping[str, Any]) -> None:
        for name, spec in section.items():
            where = self.root / "state_machines" / name
            options = {"definition": spec} if isinstance(spec, str) else _table(spec, where)
            _only(options, ("definition", "type", "arn"), where)
            definition = options.get("definition")
            if not isinstance(definition, str):
                raise where.error("expected the path of the definition file (or a table with 'definition')")
            machine_type = options.get("type", "STANDARD")
            if machine_type not in ("STANDARD", "EXPRESS"):
                raise (where / "type").error("expected STANDARD or EXPRESS")
            arn = options.get("arn")
            if arn is not None and not isinstance(arn, str):
                raise (where / "arn").error("expected an ARN string")
            try:
                machine = load_machine(self.base / definition, name=name, machine_type=machine_type)
                resources.state_machine(machine, arn=arn)
            except AslEngineError as error:
                raise where.error(str(error)) from None

    def _handlers(self, resources: Resources, section: Mapping[str, Any]) -> None:
        for resource, spec in section.items():
            where = self.root / "handlers" / resource
            function = self._callable(spec, where)
            try:
                resources.handler(resource, function)
            except ConfigurationError as error:
                raise where.error(str(error)) from None

    # -- module:function references ------------------------------------------------------------------

    def _callable(self, reference: Any, where: _Location) -> Callable[..., Any]:
        if not isinstance(reference, str) or reference.count(":") != 1:
            raise where.error(f"expected 'module:function', got {reference!r}")
        module_name, _, attribute = reference.partition(":")
        if not module_name or not attribute:
            raise where.error(f"expected 'module:function', got {reference!r}")
        target: Any = self._module(module_name, where)
        for part in attribute.split("."):
            try:
                target = getattr(target, part)
            except AttributeError:
                raise where.error(f"module {module_name!r} has no attribute {attribute!r}") from None
        if not callable(target):
            raise where.error(f"{reference!r} is not callable")
        return target  # type: ignore[no-any-return]

    def _module(self, name: str, where: _Location) -> ModuleType:
        relative = self.base.joinpath(*name.split("."))
        file = next((f for f in (relative.with_suffix(".py"), relative / "__init__.py") if f.is_file()), None)
        if file is None:
            try:
                return importlib.import_module(name)
            except ImportError as error:
                raise where.error(
                    f"cannot import module {name!r}: no {relative}.py beside the file and {error}"
                ) from None
        return _load_file_module(name, file, self.base, where)


def _load_file_module(name: str, file: Path, base: Path, where: _Location) -> ModuleType:
    """Import a module from a file under a name unique to that file (two examples may both have
    ``handlers.py``), with the file's directory importable while it loads (for its own imports)."""
    digest = hashlib.sha1(str(file).encode()).hexdigest()[:12]
    unique = f"_asl_resources_{digest}_{name.replace('.', '_')}"
    loaded = sys.modules.get(unique)
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(unique, file)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a loader
        raise where.error(f"cannot load {file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    sys.path.insert(0, str(base))
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[unique]
        raise where.error(f"importing {file} failed: {type(error).__name__}: {error}") from error
    finally:
        sys.path.remove(str(base))
    return module


def _table(value: Any, where: _Location) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(f"expected a table, got {value!r}")
    return value


def _only(options: Mapping[str, Any], allowed: tuple[str, ...], where: _Location) -> None:
    for key in options:
        if key not in allowed:
            raise (where / key).error(f"unknown key; expected one of {', '.join(allowed)}")


def _settings(spec: Any, where: _Location, allowed: tuple[str, ...]) -> dict[str, Any]:
    """A ``"module:function"`` string, or a table with ``handler`` and settings."""
    if isinstance(spec, str):
        return {"handler": spec}
    options = dict(_table(spec, where))
    _only(options, allowed, where)
    if "handler" not in options:
        raise where.error("missing 'handler' (\"module:function\")")
    return options


def _key(value: Any, where: _Location) -> tuple[str, str]:
    if not isinstance(value, str) or value.count(":") != 1:
        raise where.error(f"expected 'name:TYPE' with TYPE S, N or B, got {value!r}")
    name, _, kind = value.partition(":")
    if not name or kind not in _KEY_TYPES:
        raise where.error(f"expected 'name:TYPE' with TYPE S, N or B, got {value!r}")
    return name, kind
