"""Table definitions: key schemas, secondary indexes, key validation and descriptions.

``TableSpec`` is how Python code declares a table; ``TableSpec.from_create_table`` reads a
``CreateTable`` request (with DynamoDB's validation) into the same form, and ``Table`` is a
created table with its identity (ARN, id, creation time) and key logic.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asl_engine.services.dynamodb.attribute_values import Item, TypedValue, value_size, value_type
from asl_engine.services.dynamodb.errors import invalid_parameters, serialization, validation
from asl_engine.services.dynamodb.ordering import encode_key_value
from asl_engine.services.dynamodb.requests import ConstraintErrors, integer_param, string_param

KeyAttribute = tuple[str, str]  # (attribute name, "S" | "N" | "B")
StorageKey = tuple[bytes, bytes]  # (encoded hash key, encoded range key or b"")

KEY_TYPES = ("S", "N", "B")
PROJECTION_TYPES = ("ALL", "KEYS_ONLY", "INCLUDE")
BILLING_MODES = ("PROVISIONED", "PAY_PER_REQUEST")
MAX_HASH_KEY_BYTES = 2048
MAX_RANGE_KEY_BYTES = 1024
NAME_PATTERN = re.compile(r"[a-zA-Z0-9_.-]+")
_ARN = re.compile(r"arn:aws[a-z-]*:dynamodb:[^:]*:[^:]*:table/([^/]+)(?:/.*)?")
KEY_MISMATCH = "The provided key element does not match the schema"


@dataclass(frozen=True)
class IndexSpec:
    """A global or local secondary index. ``projection`` is ALL, KEYS_ONLY or INCLUDE."""

    name: str
    hash_key: KeyAttribute
    range_key: KeyAttribute | None = None
    projection: str = "ALL"
    non_key_attributes: tuple[str, ...] = ()

    def key_attributes(self) -> tuple[KeyAttribute, ...]:
        return (self.hash_key,) if self.range_key is None else (self.hash_key, self.range_key)


@dataclass(frozen=True)
class TableSpec:
    """A table declaration: name, key schema (attribute name and type S, N or B) and indexes.

    ``billing_mode`` PAY_PER_REQUEST (the default here) or PROVISIONED with capacities; they only
    appear in DescribeTable, nothing is throttled.
    """

    name: str
    hash_key: KeyAttribute
    range_key: KeyAttribute | None = None
    global_indexes: tuple[IndexSpec, ...] = ()
    local_indexes: tuple[IndexSpec, ...] = ()
    billing_mode: str = "PAY_PER_REQUEST"
    read_capacity: int = 0
    write_capacity: int = 0

    def key_attributes(self) -> tuple[KeyAttribute, ...]:
        return (self.hash_key,) if self.range_key is None else (self.hash_key, self.range_key)

    def to_create_table(self) -> dict[str, Any]:
        """The equivalent CreateTable request."""
        request: dict[str, Any] = {
            "TableName": self.name,
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": kind} for name, kind in _attribute_definitions(self).items()
            ],
            "KeySchema": _key_schema(self.hash_key, self.range_key),
            "BillingMode": self.billing_mode,
        }
        if self.billing_mode == "PROVISIONED":
            request["ProvisionedThroughput"] = _throughput_request(self.read_capacity, self.write_capacity)
        if self.global_indexes:
            request["GlobalSecondaryIndexes"] = [
                _index_request(index, self if self.billing_mode == "PROVISIONED" else None)
                for index in self.global_indexes
            ]
        if self.local_indexes:
            request["LocalSecondaryIndexes"] = [_index_request(index, None) for index in self.local_indexes]
        return request

    @classmethod
    def from_create_table(cls, params: Mapping[str, Any]) -> TableSpec:
        """Read a CreateTable request, raising DynamoDB's validation errors."""
        return _CreateTableReader(params).read()


def _key_schema(hash_key: KeyAttribute, range_key: KeyAttribute | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    if range_key is not None:
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    return schema


def _throughput_request(read: int, write: int) -> dict[str, int]:
    return {"ReadCapacityUnits": read, "WriteCapacityUnits": write}


def _index_request(index: IndexSpec, provisioned: TableSpec | None) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index.projection}
    if index.non_key_attributes:
        projection["NonKeyAttributes"] = list(index.non_key_attributes)
    request: dict[str, Any] = {
        "IndexName": index.name,
        "KeySchema": _key_schema(index.hash_key, index.range_key),
        "Projection": projection,
    }
    if provisioned is not None:
        request["ProvisionedThroughput"] = _throughput_request(provisioned.read_capacity, provisioned.write_capacity)
    return request


def _attribute_definitions(spec: TableSpec) -> dict[str, str]:
    definitions: dict[str, str] = {}
    for attribute in spec.key_attributes():
        definitions[attribute[0]] = attribute[1]
    for index in (*spec.global_indexes, *spec.local_indexes):
        for attribute in index.key_attributes():
            definitions.setdefault(attribute[0], attribute[1])
    return definitions


class _CreateTableReader:
    """DynamoDB's CreateTable validation, in its order: shapes and constraints, then consistency."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params

    def read(self) -> TableSpec:
        params = self.params
        errors = ConstraintErrors()
        name = errors.table_name(params.get("TableName"), allow_arn=False)
        definitions = _mappings(params.get("AttributeDefinitions"))
        schema = _mappings(params.get("KeySchema"))
        errors.required("attributeDefinitions", params.get("AttributeDefinitions"))
        errors.required("keySchema", params.get("KeySchema"))
        if schema is not None and not 1 <= len(schema) <= 2:
            errors.add(
                "keySchema",
                schema,
                "Member must have length less than or equal to 2"
                if schema
                else "Member must have length greater than or equal to 1",
            )
        billing = string_param(params, "BillingMode")
        errors.enum("billingMode", billing, BILLING_MODES)
        for position, definition in enumerate(definitions or (), start=1):
            _string(definition.get("AttributeName"))
            errors.enum(
                f"attributeDefinitions.{position}.member.attributeType",
                _string(definition.get("AttributeType")),
                ("B", "N", "S"),
            )
        errors.raise_if_any()
        assert name is not None and definitions is not None and schema is not None
        types = {str(d.get("AttributeName")): str(d.get("AttributeType")) for d in definitions}
        hash_key, range_key = self.key_schema(schema, types, "keySchema")
        used: list[str] = [attribute[0] for attribute in (hash_key, range_key) if attribute]
        raw_globals = _mappings(params.get("GlobalSecondaryIndexes"))
        raw_locals = _mappings(params.get("LocalSecondaryIndexes"))
        if raw_globals == []:
            raise invalid_parameters("List of GlobalSecondaryIndexes is empty")
        if raw_locals == []:
            raise invalid_parameters("List of LocalSecondaryIndexes is empty")
        global_indexes = tuple(self.index(raw, types, used) for raw in raw_globals or ())
        local_indexes = tuple(self.index(raw, types, used) for raw in raw_locals or ())
        for index in local_indexes:
            if range_key is None:
                raise invalid_parameters(
                    "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"
                )
            if index.hash_key[0] != hash_key[0]:
                raise invalid_parameters(
                    "Index KeySchema does not have the same leading hash key as table KeySchema for "
                    f"index: {index.name}. index hash key: {index.hash_key[0]}, table hash key: {hash_key[0]}"
                )
        names = [index.name for index in (*global_indexes, *local_indexes)]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise invalid_parameters(f"Duplicate index name: {duplicates[0]}")
        unused = [n for n in types if n not in used]
        if unused:
            raise invalid_parameters(
                f"Some AttributeDefinitions are not used. AttributeDefinitions: [{', '.join(types)}], "
                f"keys used: [{', '.join(used)}]"
            )
        billing_mode = billing or "PROVISIONED"
        read, write = self.throughput(params.get("ProvisionedThroughput"), billing_mode)
        return TableSpec(
            name=name,
            hash_key=hash_key,
            range_key=range_key,
            global_indexes=global_indexes,
            local_indexes=local_indexes,
            billing_mode=billing_mode,
            read_capacity=read,
            write_capacity=write,
        )

    @staticmethod
    def key_schema(
        schema: Sequence[Mapping[str, Any]], types: Mapping[str, str], member: str
    ) -> tuple[KeyAttribute, KeyAttribute | None]:
        elements: list[tuple[str, str]] = []
        for position, element in enumerate(schema, start=1):
            key_type = _string(element.get("KeyType"))
            if key_type not in ("HASH", "RANGE"):
                raise validation(
                    f"1 validation error detected: Value '{key_type}' at '{member}.{position}.member.keyType' "
                    "failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"
                )
            elements.append((str(_string(element.get("AttributeName"))), key_type))
        if elements[0][1] != "HASH" or (len(elements) == 2 and elements[1][1] != "RANGE"):
            raise invalid_parameters("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
        missing = [name for name, _ in elements if name not in types]
        if missing:
            raise invalid_parameters(
                f"Some index key attributes are not defined in AttributeDefinitions. Keys: [{', '.join(missing)}], "
                f"AttributeDefinitions: [{', '.join(types)}]"
            )
        hash_key = (elements[0][0], types[elements[0][0]])
        range_key = (elements[1][0], types[elements[1][0]]) if len(elements) == 2 else None
        return hash_key, range_key

    def index(self, raw: Mapping[str, Any], types: Mapping[str, str], used: list[str]) -> IndexSpec:
        name = raw.get("IndexName")
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or not 3 <= len(name) <= 255:
            raise validation(
                f"1 validation error detected: Value '{name}' at 'indexName' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
            )
        schema = _mappings(raw.get("KeySchema"))
        if not schema or len(schema) > 2:
            raise validation(
                f"1 validation error detected: Value '{schema}' at 'keySchema' failed to satisfy constraint: "
                "Member must have length less than or equal to 2"
            )
        hash_key, range_key = self.key_schema(schema, types, "keySchema")
        for attribute in (hash_key, range_key):
            if attribute is not None and attribute[0] not in used:
                used.append(attribute[0])
        projection = raw.get("Projection")
        if projection is not None and not isinstance(projection, Mapping):
            raise serialization("Unexpected value type in payload")
        projection = projection or {}
        projection_type = _string(projection.get("ProjectionType")) or "ALL"
        if projection_type not in PROJECTION_TYPES:
            raise validation(
                f"1 validation error detected: Value '{projection_type}' at 'projection.projectionType' "
                "failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]"
            )
        non_key = projection.get("NonKeyAttributes") or []
        if not isinstance(non_key, list):
            raise serialization("Unexpected value type in payload")
        attributes = tuple(str(_string(attribute)) for attribute in non_key)
        if projection_type == "INCLUDE" and not attributes:
            raise invalid_parameters("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
        if projection_type != "INCLUDE" and attributes:
            raise invalid_parameters(f"ProjectionType is {projection_type}, but NonKeyAttributes is specified")
        return IndexSpec(name, hash_key, range_key, projection_type, attributes)

    @staticmethod
    def throughput(raw: Any, billing_mode: str) -> tuple[int, int]:
        if raw is not None and not isinstance(raw, Mapping):
            raise serialization("Unexpected value type in payload")
        if billing_mode == "PAY_PER_REQUEST":
            if raw:
                raise invalid_parameters(
                    "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
                    "PAY_PER_REQUEST"
                )
            return 0, 0
        read = integer_param(raw or {}, "ReadCapacityUnits")
        write = integer_param(raw or {}, "WriteCapacityUnits")
        if read is None or write is None:
            raise invalid_parameters(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
            )
        return read, write


def _mappings(value: Any) -> list[Mapping[str, Any]] | None:
    """A list of structures (None when absent); anything else is a serialization error."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(element, Mapping) for element in value):
        raise serialization("Unexpected value type in payload")
    return value


def _string(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise serialization("Unexpected value type in payload")


def table_name_from(value: str) -> str:
    """The table name in a TableName parameter, which may also be the table's ARN."""
    match = _ARN.fullmatch(value)
    return match.group(1) if match else value


@dataclass
class Table:
    """A created table."""

    spec: TableSpec
    created: float
    table_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    region: str = "us-east-1"
    account_id: str = "123456789012"

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account_id}:table/{self.name}"

    def index(self, name: str) -> tuple[IndexSpec, bool]:
        """The index called ``name`` and whether it is global."""
        for index in self.spec.global_indexes:
            if index.name == name:
                return index, True
        for index in self.spec.local_indexes:
            if index.name == name:
                return index, False
        raise validation(f"The table does not have the specified index: {name}")

    def key_names(self) -> tuple[str, ...]:
        return tuple(attribute[0] for attribute in self.spec.key_attributes())

    def index_key_names(self) -> set[str]:
        return {
            attribute[0]
            for index in (*self.spec.global_indexes, *self.spec.local_indexes)
            for attribute in index.key_attributes()
        }

    # ------------------------------------------------------------------ keys

    def check_key(self, key: Item, mismatch: str = KEY_MISMATCH) -> Item:
        """A request's ``Key``: exactly the key attributes, with the schema's types."""
        attributes = self.spec.key_attributes()
        if len(key) != len(attributes):
            raise validation(mismatch)
        for name, kind in attributes:
            value = key.get(name)
            if value is None or value_type(value) != kind:
                raise validation(mismatch)
        self._check_key_values(key)
        return {name: key[name] for name, _ in attributes}

    def check_item_keys(self, item: Item) -> None:
        """An item to write: its key attributes, and its index keys when present."""
        for name, kind in self.spec.key_attributes():
            value = item.get(name)
            if value is None:
                raise invalid_parameters(f"Missing the key {name} in the item")
            if value_type(value) != kind:
                raise invalid_parameters(f"Type mismatch for key {name} expected: {kind} actual: {value_type(value)}")
        self._check_key_values(item)
        self.check_index_keys(item)

    def check_index_keys(self, item: Item, *, update: bool = False) -> None:
        for index in (*self.spec.global_indexes, *self.spec.local_indexes):
            for name, kind in index.key_attributes():
                value = item.get(name)
                if value is None:
                    continue
                if value_type(value) != kind:
                    if update:
                        raise validation(
                            "The update expression attempted to update the secondary index key to unsupported type"
                        )
                    raise invalid_parameters(
                        f"Type mismatch for Index Key {name} Expected: {kind} Actual: {value_type(value)} "
                        f"IndexName: {index.name}"
                    )
                if _is_empty(value):
                    if update:
                        raise validation(
                            "One or more parameter values are not valid. The update expression attempted to "
                            "update a secondary index key to a value that is not supported. The AttributeValue "
                            "for a key attribute cannot contain an empty string value."
                        )
                    raise validation(
                        "One or more parameter values are not valid. A value specified for a secondary index "
                        "key is not supported. The AttributeValue for a key attribute cannot contain an empty "
                        f"string value. IndexName: {index.name}, IndexKey: {name}"
                    )

    def _check_key_values(self, key: Item) -> None:
        for name, kind in self.spec.key_attributes():
            if _is_empty(key[name]):
                what = "string" if kind == "S" else "binary"
                raise validation(
                    "One or more parameter values are not valid. The AttributeValue for a key attribute "
                    f"cannot contain an empty {what} value. Key: {name}"
                )
        if value_size(key[self.spec.hash_key[0]]) > MAX_HASH_KEY_BYTES:
            raise invalid_parameters("Size of hashkey has exceeded the maximum size limit of2048 bytes")
        if self.spec.range_key is not None and value_size(key[self.spec.range_key[0]]) > MAX_RANGE_KEY_BYTES:
            raise invalid_parameters("Aggregated size of all range keys has exceeded the size limit of 1024 bytes")

    def key_of(self, item: Item) -> Item:
        return {name: item[name] for name in self.key_names()}

    def storage_key(self, item: Item) -> StorageKey:
        hash_value = encode_key_value(item[self.spec.hash_key[0]])
        if self.spec.range_key is None:
            return hash_value, b""
        return hash_value, encode_key_value(item[self.spec.range_key[0]])

    # ------------------------------------------------------------------ descriptions

    def describe(self, item_count: int, size_bytes: int, index_stats: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
        spec = self.spec
        description: dict[str, Any] = {
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": kind} for name, kind in _attribute_definitions(spec).items()
            ],
            "TableName": spec.name,
            "KeySchema": _key_schema(spec.hash_key, spec.range_key),
            "TableStatus": "ACTIVE",
            "CreationDateTime": self.created,
            "ProvisionedThroughput": self._throughput(),
            "TableSizeBytes": size_bytes,
            "ItemCount": item_count,
            "TableArn": self.arn,
            "TableId": self.table_id,
        }
        if spec.billing_mode == "PAY_PER_REQUEST":
            description["BillingModeSummary"] = {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": self.created,
            }
        if spec.local_indexes:
            description["LocalSecondaryIndexes"] = [
                self._describe_index(index, index_stats.get(index.name, (0, 0)), global_index=False)
                for index in spec.local_indexes
            ]
        if spec.global_indexes:
            description["GlobalSecondaryIndexes"] = [
                self._describe_index(index, index_stats.get(index.name, (0, 0)), global_index=True)
                for index in spec.global_indexes
            ]
        description["DeletionProtectionEnabled"] = False
        return description

    def _throughput(self) -> dict[str, int]:
        return {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": self.spec.read_capacity,
            "WriteCapacityUnits": self.spec.write_capacity,
        }

    def _describe_index(self, index: IndexSpec, stats: tuple[int, int], *, global_index: bool) -> dict[str, Any]:
        projection: dict[str, Any] = {"ProjectionType": index.projection}
        if index.non_key_attributes:
            projection["NonKeyAttributes"] = list(index.non_key_attributes)
        description: dict[str, Any] = {
            "IndexName": index.name,
            "KeySchema": _key_schema(index.hash_key, index.range_key),
            "Projection": projection,
        }
        if global_index:
            description["IndexStatus"] = "ACTIVE"
            description["ProvisionedThroughput"] = self._throughput()
        description["IndexSizeBytes"] = stats[1]
        description["ItemCount"] = stats[0]
        description["IndexArn"] = f"{self.arn}/index/{index.name}"
        return description


def _is_empty(value: TypedValue) -> bool:
    kind = value_type(value)
    return kind in ("S", "B") and value[kind] == ""
