"""Turning the text of an S3 object into a Distributed Map's items: CSV, JSON, JSON Lines, manifests.

Pure functions: text in, items out, ``ItemReaderError`` (whose message is the cause AWS gives,
where recorded) for data Step Functions cannot read. They follow AWS's documented and recorded
behaviour:

* CSV ("How Step Functions parses input CSV files"): fields are strings; the delimiter is the
  ``CSVDelimiter``; newlines end records, except inside double quotes; ``""`` is a double quote
  (inside quotes, or within an unquoted field); a backslash escapes a backslash, a double quote or
  the delimiter and is dropped before anything else; a row with fewer fields than the header gets
  empty strings, extra fields are skipped; empty lines are no records. Duplicate headers fail with
  "CSV headers cannot contain duplicates." (recorded).
* JSON: the document (or the node ``ItemsPointer`` selects) must be an array, else "Attempting to
  map over non-iterable node." (recorded).
* JSON Lines: one JSON value per non-empty line.
* Manifests: an S3 Inventory ``manifest.json`` names CSV data files (their columns in
  ``fileSchema``); an Athena ``UNLOAD`` manifest lists ``s3://bucket/key`` data files, one a line.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}

DUPLICATE_HEADERS = "CSV headers cannot contain duplicates."
NOT_ITERABLE = "Attempting to map over non-iterable node."


class ItemReaderError(Exception):
    """The data cannot be read as the ReaderConfig says; the message is the Map Run's cause."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- text --------------------------------------------------------------------------------------------------


def decode(body: bytes | str, where: str) -> str:
    """An object's bytes as text (UTF-8; gzip-compressed objects are decompressed first)."""
    if isinstance(body, str):
        return body
    data = body
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise ItemReaderError(f"{where} is not a valid gzip file: {error}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ItemReaderError(f"{where} is not UTF-8 text: {error.reason} at byte {error.start}") from None


# -- CSV ---------------------------------------------------------------------------------------------------


def csv_rows(text: str, delimiter: str = ",") -> Iterator[list[str]]:
    """The records of delimited text, each a list of field strings (see the module docstring)."""
    fields: list[str] = []
    field: list[str] = []
    quoted = False
    index = 0
    length = len(text)
    line_has_content = False
    while index < length:
        if not line_has_content and not quoted:
            # A record without quotes, backslashes or carriage returns is just split (the usual case).
            end = text.find("\n", index)
            end = length if end < 0 else end
            line = text[index:end]
            if '"' not in line and "\\" not in line and "\r" not in line:
                if line:
                    yield line.split(delimiter)
                index = end + 1
                continue
        char = text[index]
        following = text[index + 1] if index + 1 < length else ""
        if char == "\\":
            if following in ("\\", '"') or following == delimiter:
                field.append(following)
                index += 2
            else:
                index += 1
            line_has_content = True
            continue
        if char == '"':
            if following == '"' and (quoted or field):
                field.append('"')
                index += 2
            else:
                quoted = not quoted
                index += 1
            line_has_content = True
            continue
        if not quoted and char == delimiter:
            fields.append("".join(field))
            field = []
            line_has_content = True
            index += 1
            continue
        if not quoted and char in "\r\n":
            index += 2 if char == "\r" and following == "\n" else 1
            if line_has_content:
                fields.append("".join(field))
                yield fields
            fields, field, line_has_content = [], [], False
            continue
        field.append(char)
        line_has_content = True
        index += 1
    if line_has_content:
        fields.append("".join(field))
        yield fields


def check_headers(headers: list[str]) -> list[str]:
    if len(set(headers)) != len(headers):
        raise ItemReaderError(DUPLICATE_HEADERS)
    return headers


def csv_items(text: str, *, delimiter: str = ",", headers: list[str] | None = None) -> list[dict[str, str]]:
    """One object per record, keyed by ``headers`` (None: the first record is the header row)."""
    return list(iter_csv_items(text, delimiter=delimiter, headers=headers))


def iter_csv_items(text: str, *, delimiter: str = ",", headers: list[str] | None = None) -> Iterator[dict[str, str]]:
    """``csv_items`` one record at a time: a Distributed Map never holds every item of a large file."""
    rows = csv_rows(text, delimiter)
    if headers is None:
        first = next(rows, None)
        if first is None:
            return
        headers = first
    check_headers(headers)
    width = len(headers)
    for row in rows:
        if len(row) < width:
            row = row + [""] * (width - len(row))
        yield dict(zip(headers, row, strict=False))


# -- JSON --------------------------------------------------------------------------------------------------


def parse_json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise ItemReaderError(f"{where} is not valid JSON: {error}") from None


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The node an RFC 6901 JSON pointer selects (``/productUpdates/items``)."""
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        raise ItemReaderError(f"ItemsPointer '{pointer}' is not a JSON pointer: it must start with '/'")
    node = document
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and (token == "0" or not token.startswith("0")):
            position = int(token)
            if position >= len(node):
                raise ItemReaderError(f"ItemsPointer '{pointer}' does not select a node of the JSON document")
            node = node[position]
        else:
            raise ItemReaderError(f"ItemsPointer '{pointer}' does not select a node of the JSON document")
    return node


def json_items(text: str, where: str, items_pointer: str | None = None) -> list[Any]:
    document = parse_json(text, where)
    if items_pointer is not None:
        document = resolve_pointer(document, items_pointer)
    if not isinstance(document, list):
        raise ItemReaderError(NOT_ITERABLE)
    return document


def jsonl_items(text: str, where: str) -> list[Any]:
    return list(iter_jsonl_items(text, where))


def iter_jsonl_items(text: str, where: str) -> Iterator[Any]:
    """The values of JSON Lines text, one at a time (a bad line fails when it is reached)."""
    start = 0
    number = 0
    length = len(text)
    while start < length:
        end = text.find("\n", start)
        end = length if end < 0 else end
        number += 1
        line = text[start:end]
        start = end + 1
        if line.strip():
            yield parse_json(line, f"line {number} of {where}")


# -- manifests ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ObjectLocation:
    bucket: str
    key: str

    @property
    def source(self) -> str:
        """How ``$$.Map.Item.Source`` names an object's items."""
        return f"S3://{self.bucket}/{self.key}"


@dataclass(frozen=True, slots=True)
class InventoryManifest:
    """An S3 Inventory report: its CSV data files and their columns."""

    files: list[ObjectLocation]
    columns: list[str]


def inventory_manifest(text: str, where: str) -> InventoryManifest:
    document = parse_json(text, where)
    if not isinstance(document, dict):
        raise ItemReaderError(f"{where} is not an S3 Inventory manifest (a JSON object)")
    file_format = document.get("fileFormat", "CSV")
    if file_format != "CSV":
        raise ItemReaderError(f"{where} describes a {file_format} inventory; Step Functions reads CSV inventories only")
    destination = document.get("destinationBucket")
    schema = document.get("fileSchema")
    files = document.get("files")
    if not isinstance(destination, str) or not isinstance(schema, str) or not isinstance(files, list):
        raise ItemReaderError(
            f"{where} is not an S3 Inventory manifest: it needs 'destinationBucket', 'fileSchema' and 'files'"
        )
    bucket = destination.rsplit(":", 1)[-1]
    locations = []
    for entry in files:
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            raise ItemReaderError(f"{where}: every entry of 'files' needs a 'key'")
        locations.append(ObjectLocation(bucket, entry["key"]))
    return InventoryManifest(locations, [column.strip() for column in schema.split(",")])


def athena_manifest(text: str, where: str) -> list[ObjectLocation]:
    """The data files an Athena UNLOAD manifest lists (``s3://bucket/key`` per line)."""
    locations = []
    for line in text.splitlines():
        uri = line.strip()
        if not uri:
            continue
        if not uri.lower().startswith("s3://") or "/" not in uri[5:]:
            raise ItemReaderError(f"{where} lists '{uri}', which is not an s3://bucket/key URI")
        bucket, _, key = uri[5:].partition("/")
        locations.append(ObjectLocation(bucket, key))
    return locations
