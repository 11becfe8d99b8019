"""``ItemReader``: a Distributed Map's items read from S3 instead of the state input.

Resources: ``arn:aws:states:::s3:getObject`` (one object, parsed per ``ReaderConfig.InputType``:
CSV, JSON, JSONL or MANIFEST) and ``arn:aws:states:::s3:listObjectsV2`` (the objects under a
prefix, as ``{Etag, Key, LastModified, Size, StorageClass}``; with ``Transformation:
LOAD_AND_FLATTEN`` the items of every listed object instead). PARQUET is not supported: such a
reader fails the execution with ``States.Runtime`` saying so.

When AWS evaluates what (recorded): ``Parameters``/``Arguments`` and ``MaxItemsPath`` before
``MapStateStarted`` (a bad path is ``States.Runtime``); the read itself after ``MapRunStarted``, its
failures being ``States.ItemReaderFailed`` in ``MapRunFailed`` ("CSV headers cannot contain
duplicates.", "Attempting to map over non-iterable node.", "field MaxItems must be positive").
``MaxItems`` 0 means no limit; values above 100,000,000 read everything (recorded).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asl_engine.definition.arns import ResourceRef, UnknownResourceError, parse_resource
from asl_engine.errors import StatesError
from asl_engine.runtime import failures
from asl_engine.runtime.handlers import TaskHandler
from asl_engine.runtime.map_data import formats
from asl_engine.runtime.map_data.calls import call, integration, s3_resource
from asl_engine.runtime.map_data.fields import FieldSource, count_source, payload_source
from asl_engine.runtime.map_data.formats import ItemReaderError, ObjectLocation
from asl_engine.runtime.states.base import CompileError

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame

ITEM_READER_FAILED = "States.ItemReaderFailed"
MAX_ITEMS_LIMIT = 100_000_000
STATE_DATA = "STATE_DATA"
"""``$$.Map.Item.Source`` for items taken from the state input."""

ReadCounter = Callable[[int], None]
"""Told how many items have been read so far, as the read goes (for progress displays)."""


def _uncounted(items: int) -> None:
    pass


_INPUT_TYPES = ("CSV", "JSON", "JSONL", "PARQUET", "MANIFEST")
_FILE_INPUT_TYPES = ("CSV", "JSON", "JSONL", "PARQUET")
_HOW_TO = "the object in its embedded S3, e.g. resources.s3_object(bucket, key, body)"


@dataclass(frozen=True, slots=True)
class ReaderConfig:
    input_type: str | None
    header_location: str
    headers: list[str] | None
    delimiter: str
    transformation: str
    manifest_type: str | None
    items_pointer: str | None


@dataclass(frozen=True, slots=True)
class ReadRequest:
    """What one read needs, evaluated before ``MapStateStarted``."""

    parameters: dict[str, Any]
    max_items: int | None
    handler: TaskHandler


@dataclass(slots=True)
class ReadItems:
    """The items read, each with its ``$$.Map.Item.Source``."""

    items: list[Any]
    sources: list[str]


class ItemReader:
    """A compiled ``ItemReader`` (for either query language)."""

    def __init__(self, spec: Any, pointer: str, query_language: str) -> None:
        if not isinstance(spec, dict):
            raise CompileError(pointer, "'ItemReader' must be a JSON object")
        try:
            self.resource: ResourceRef = parse_resource(spec.get("Resource"))  # type: ignore[arg-type]
        except UnknownResourceError as error:
            raise CompileError(f"{pointer}/Resource", str(error)) from None
        resource = self.resource
        if (
            resource.kind != "service"
            or resource.service != "s3"
            or resource.action
            not in (
                "getObject",
                "listObjectsV2",
            )
        ):
            raise CompileError(
                f"{pointer}/Resource",
                "An ItemReader reads with arn:aws:states:::s3:getObject or arn:aws:states:::s3:listObjectsV2, "
                f"not {resource.arn}",
            )
        self.listing = resource.action == "listObjectsV2"
        self.parameters: FieldSource | None = payload_source(spec, pointer, query_language, "ItemReader")
        config_spec = spec.get("ReaderConfig", {})
        if not isinstance(config_spec, dict):
            raise CompileError(f"{pointer}/ReaderConfig", "'ReaderConfig' must be a JSON object")
        config_pointer = f"{pointer}/ReaderConfig"
        self.config = _reader_config(config_spec, config_pointer, self.listing)
        self.max_items: FieldSource = count_source(config_spec, "MaxItems", config_pointer, query_language)

    # -- before MapStateStarted --------------------------------------------------------------------------

    def prepare(self, frame: Frame, raw_input: Any, selected: Any) -> ReadRequest:
        parameters = self.parameters(frame, raw_input, selected) if self.parameters is not None else {}
        if not isinstance(parameters, Mapping):
            raise failures.runtime_error(frame, "The ItemReader's parameters must be a JSON object")
        max_items = self.max_items(frame, raw_input, selected)
        if self.config.input_type == "PARQUET":
            raise failures.runtime_error(
                frame, "asl-engine does not read PARQUET (ReaderConfig.InputType): use CSV, JSON or JSONL data"
            )
        handler = integration(frame, self.resource, "ItemReader", _HOW_TO)
        return ReadRequest(dict(parameters), max_items, handler)

    # -- after MapRunStarted -----------------------------------------------------------------------------

    async def stream(
        self, frame: Frame, request: ReadRequest, counted: ReadCounter = _uncounted
    ) -> AsyncIterator[ReadItems]:
        """The items in chunks, limited by MaxItems; failures are ``States.ItemReaderFailed`` (Runtime
        passes through). Objects are fetched one at a time and parsed as the chunks are taken, so a
        Map Run over millions of rows never holds them all (only the object being read)."""
        limit = request.max_items
        limit = min(limit, MAX_ITEMS_LIMIT) if limit else None
        read = 0
        try:
            if request.max_items is not None and request.max_items < 0:
                raise ItemReaderError("field MaxItems must be positive")
            chunks = self._read_listing(frame, request) if self.listing else self._read_object(frame, request)
            async for chunk in chunks:
                if limit is not None and read + len(chunk.items) >= limit:
                    del chunk.items[limit - read :]
                    del chunk.sources[limit - read :]
                read += len(chunk.items)
                counted(read)
                if chunk.items:
                    yield chunk
                if limit is not None and read >= limit:
                    return
        except ItemReaderError as error:
            raise StatesError(ITEM_READER_FAILED, error.message) from None
        except StatesError as error:
            if error.error == failures.RUNTIME:
                raise
            raise StatesError(ITEM_READER_FAILED, error.cause or error.error) from None
        counted(read)

    async def read(self, frame: Frame, request: ReadRequest, counted: ReadCounter = _uncounted) -> ReadItems:
        """Every item at once (``stream`` collected)."""
        read = ReadItems([], [])
        async for chunk in self.stream(frame, request, counted):
            read.items.extend(chunk.items)
            read.sources.extend(chunk.sources)
        return read

    async def _read_object(self, frame: Frame, request: ReadRequest) -> AsyncIterator[ReadItems]:
        location = _location(request.parameters)
        body = await call(frame, request.handler, self.resource, request.parameters)
        config = self.config
        if config.input_type == "MANIFEST" or config.manifest_type is not None:
            async for chunk in self._read_manifest(frame, location, body):
                yield chunk
            return
        for chunk in self._parse(body, location):
            yield chunk

    async def _read_manifest(self, frame: Frame, manifest: ObjectLocation, body: Any) -> AsyncIterator[ReadItems]:
        where = manifest.source
        text = formats.decode(_bytes_or_text(body, where), where)
        config = self.config
        if config.manifest_type == "ATHENA_DATA":
            async for chunk in self._read_files(frame, formats.athena_manifest(text, where)):
                yield chunk
            return
        inventory = formats.inventory_manifest(text, where)
        getter = s3_resource(self.resource, "getObject")
        handler = integration(frame, getter, "ItemReader", _HOW_TO)
        for location in inventory.files:
            data = await call(frame, handler, getter, {"Bucket": location.bucket, "Key": location.key})
            rows = formats.iter_csv_items(
                formats.decode(_bytes_or_text(data, location.source), location.source), headers=inventory.columns
            )
            for chunk in _chunks(rows, location.source):
                yield chunk

    async def _read_listing(self, frame: Frame, request: ReadRequest) -> AsyncIterator[ReadItems]:
        parameters = dict(request.parameters)
        bucket = parameters.get("Bucket")
        if not isinstance(bucket, str):
            raise ItemReaderError("The ItemReader's parameters need a 'Bucket' string")
        flatten = self.config.transformation == "LOAD_AND_FLATTEN"
        listed: list[dict[str, Any]] = []
        while True:
            page = await call(frame, request.handler, self.resource, parameters)
            if not isinstance(page, Mapping) or not isinstance(page.get("Contents", []), list):
                raise ItemReaderError(f"The listing of bucket '{bucket}' is not a ListObjectsV2 response")
            contents = page.get("Contents", [])
            if flatten:
                listed.extend(contents)
            else:  # the listed objects are the items
                items = [_listed_item(entry) for entry in contents]
                yield ReadItems(items, [f"S3://{bucket}"] * len(items))
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not isinstance(token, str):
                break
            parameters["ContinuationToken"] = token
        if flatten:
            locations = [ObjectLocation(bucket, str(entry.get("Key"))) for entry in listed]
            async for chunk in self._read_files(frame, locations):
                yield chunk

    async def _read_files(self, frame: Frame, locations: list[ObjectLocation]) -> AsyncIterator[ReadItems]:
        """Every file's items in order (LOAD_AND_FLATTEN, Athena manifests), parsed per InputType."""
        getter = s3_resource(self.resource, "getObject")
        handler = integration(frame, getter, "ItemReader", _HOW_TO)
        for location in locations:
            body = await call(frame, handler, getter, {"Bucket": location.bucket, "Key": location.key})
            for chunk in self._parse(body, location):
                yield chunk

    def _parse(self, body: Any, location: ObjectLocation) -> Iterator[ReadItems]:
        where = location.source
        text = formats.decode(_bytes_or_text(body, where), where)
        config = self.config
        if config.input_type == "CSV":
            headers = config.headers if config.header_location == "GIVEN" else None
            items: Iterable[Any] = formats.iter_csv_items(text, delimiter=config.delimiter, headers=headers)
        elif config.input_type == "JSONL":
            items = formats.iter_jsonl_items(text, where)
        else:
            items = formats.json_items(text, where, config.items_pointer)
        return _chunks(items, where)


CHUNK_ITEMS = 1024
"""Items parsed at a time: enough to keep the parsing loop tight, few enough to hold."""


def _chunks(items: Iterable[Any], source: str) -> Iterator[ReadItems]:
    iterator = iter(items)
    while True:
        chunk = list(itertools.islice(iterator, CHUNK_ITEMS))
        if not chunk:
            return
        yield ReadItems(chunk, [source] * len(chunk))


def _reader_config(spec: dict[str, Any], pointer: str, listing: bool) -> ReaderConfig:
    input_type = spec.get("InputType")
    if input_type is not None and input_type not in _INPUT_TYPES:
        raise CompileError(f"{pointer}/InputType", f"'InputType' must be one of {', '.join(_INPUT_TYPES)}")
    transformation = spec.get("Transformation", "NONE")
    if transformation not in ("NONE", "LOAD_AND_FLATTEN"):
        raise CompileError(f"{pointer}/Transformation", "'Transformation' must be NONE or LOAD_AND_FLATTEN")
    if transformation == "LOAD_AND_FLATTEN" and not listing:
        raise CompileError(f"{pointer}/Transformation", "LOAD_AND_FLATTEN applies to s3:listObjectsV2 readers only")
    if transformation == "LOAD_AND_FLATTEN" and input_type not in _FILE_INPUT_TYPES:
        raise CompileError(
            f"{pointer}/InputType",
            "With Transformation LOAD_AND_FLATTEN, 'InputType' must be CSV, JSON, JSONL or PARQUET",
        )
    manifest_type = spec.get("ManifestType")
    if manifest_type not in (None, "ATHENA_DATA", "S3_INVENTORY"):
        raise CompileError(f"{pointer}/ManifestType", "'ManifestType' must be ATHENA_DATA or S3_INVENTORY")
    if manifest_type == "ATHENA_DATA" and input_type not in _FILE_INPUT_TYPES:
        raise CompileError(
            f"{pointer}/InputType", "An ATHENA_DATA manifest needs 'InputType' CSV, JSONL or PARQUET for its data files"
        )
    if not listing and input_type is None and manifest_type is None:
        raise CompileError(pointer, "An s3:getObject ItemReader needs 'ReaderConfig' with an 'InputType'")
    header_location = spec.get("CSVHeaderLocation", "FIRST_ROW")
    if header_location not in ("FIRST_ROW", "GIVEN"):
        raise CompileError(f"{pointer}/CSVHeaderLocation", "'CSVHeaderLocation' must be FIRST_ROW or GIVEN")
    headers = spec.get("CSVHeaders")
    if headers is not None and (not isinstance(headers, list) or not all(isinstance(h, str) for h in headers)):
        raise CompileError(f"{pointer}/CSVHeaders", "'CSVHeaders' must be an array of strings")
    if header_location == "GIVEN" and headers is None:
        raise CompileError(f"{pointer}/CSVHeaders", "CSVHeaderLocation GIVEN needs the headers in 'CSVHeaders'")
    delimiter_name = spec.get("CSVDelimiter", "COMMA")
    if delimiter_name not in formats.DELIMITERS:
        raise CompileError(f"{pointer}/CSVDelimiter", f"'CSVDelimiter' must be one of {', '.join(formats.DELIMITERS)}")
    items_pointer = spec.get("ItemsPointer")
    if items_pointer is not None and not isinstance(items_pointer, str):
        raise CompileError(f"{pointer}/ItemsPointer", "'ItemsPointer' must be a JSON pointer string")
    return ReaderConfig(
        input_type,
        header_location,
        headers,
        formats.DELIMITERS[delimiter_name],
        transformation,
        manifest_type,
        items_pointer,
    )


def _location(parameters: Mapping[str, Any]) -> ObjectLocation:
    bucket, key = parameters.get("Bucket"), parameters.get("Key")
    if not isinstance(bucket, str) or not isinstance(key, str):
        raise ItemReaderError("The ItemReader's parameters need 'Bucket' and 'Key' strings")
    return ObjectLocation(bucket, key)


def _bytes_or_text(body: Any, where: str) -> bytes | str:
    if isinstance(body, bytes | str):
        return body
    raise ItemReaderError(f"The handler reading {where} returned {type(body).__name__}, not the object's bytes")


def _listed_item(entry: Any) -> dict[str, Any]:
    """A listed object as an item (``LastModified`` in epoch seconds, AWS's ``Etag`` spelling)."""
    if not isinstance(entry, Mapping):
        raise ItemReaderError("A listed object is not a JSON object")
    last_modified = entry.get("LastModified")
    return {
        "Etag": entry.get("ETag", entry.get("Etag")),
        "Key": entry.get("Key"),
        "LastModified": int(last_modified) if isinstance(last_modified, int | float) else last_modified,
        "Size": entry.get("Size"),
        "StorageClass": entry.get("StorageClass", "STANDARD"),
    }
