"""Differential tests: the same generated requests against this emulation and moto's DynamoDB.

Hypothesis generates items and condition, update, projection, key-condition and filter
expressions; both services must agree on the outcome (the error code, or the resulting item or
items). Error messages are not compared: moto's often differ from DynamoDB's.

Where moto is known to differ from DynamoDB, DynamoDB's documented behaviour wins and the case is
excluded here, each exclusion named in ``KNOWN_MOTO_DIFFERENCES`` (and in docs/dynamodb.md):
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from asl_engine.services.dynamodb import DynamoDBService, DynamoDBServiceError, TableSpec

moto = pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")
from botocore.exceptions import ClientError  # noqa: E402

KNOWN_MOTO_DIFFERENCES = {
    "numbers": "moto returns numbers as written ('1.50'); DynamoDB normalises them ('1.5'): numbers are "
    "compared by value",
    "moto-crash": "moto raises internal errors on some inputs (e.g. size() of a number); such examples are skipped",
    "validation": "moto skips many of DynamoDB's static checks (operand types, distinct operands, function "
    "misuse, redundant parentheses); examples that this emulation rejects with ValidationException "
    "while moto evaluates them are not compared",
    "missing": "moto considers two missing attributes equal ('a = b' true on an item with neither); in "
    "DynamoDB a comparison with a missing attribute is false: comparisons are generated against values",
    "remove-on-missing-item": "DynamoDB ignores REMOVE of a nested path on an item that does not exist "
    "(scylladb's alternator tests record this); moto rejects it",
    "null": "moto finds a missing attribute equal to {'NULL': true}; in DynamoDB it is not: NULL values "
    "are left out of generated ExpressionAttributeValues",
    "falsy": "moto treats values that are false in Python (an empty string, 0) as absent: BETWEEN with "
    "such a bound fails, and projecting an empty string drops it; generated values are never empty or 0, "
    "generated items hold no empty strings",
    "bool": "moto compares and orders BOOL values as the numbers 1/0 (Python's True == 1, False < 1); no "
    "BOOL values are generated (BOOL is covered by the unit tests)",
    "float": "moto adds and subtracts numbers as binary floats (-1 - -0.77 gives -0.22999999999999998); "
    "DynamoDB is exact: generated numbers are integral",
    "list-projection": "moto keeps only one of two projected list elements that are equal "
    "('b[0], b[1]' on ['a', 'a'] gives ['a']); such projections are not compared",
    "nested-list-projection": "moto projects nothing for a path through nested lists ('a[1][0]' on "
    "[null, ['a']] gives {}); DynamoDB returns the element inside its lists: such projections are not compared",
    "if-not-exists-path": "moto rejects if_not_exists() on a path that runs through a value of the wrong "
    "kind (a[0] on a map); this emulation treats the path as absent and takes the default, which is "
    "not verified against DynamoDB; such examples are not compared",
    "invalid-path": "moto silently ignores SET a.x when a is not a map (the item is left unchanged); "
    "DynamoDB rejects the update (scylladb's alternator tests record this)",
    "capacity": "moto returns ConsumedCapacity on GetItem unasked; it is ignored",
    "limit": "on a page ending exactly at the last item moto omits LastEvaluatedKey, DynamoDB returns it; "
    "LastEvaluatedKey is not compared",
}

SETTINGS = settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NAMES = ["a", "b", "c"]
_keys = itertools.count()


# --------------------------------------------------------------------------- harness


class Pair:
    """The same calls against the emulation and moto."""

    def __init__(self, client: Any) -> None:
        self.local = DynamoDBService()
        self.client = client
        self.last_local_message = ""

    def create(self, name: str, hash_key: tuple[str, str], range_key: tuple[str, str] | None = None) -> None:
        self.local.create_table(TableSpec(name, hash_key=hash_key, range_key=range_key))
        schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
        definitions = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
        if range_key:
            schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
            definitions.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
        self.client.create_table(
            TableName=name, KeySchema=schema, AttributeDefinitions=definitions, BillingMode="PAY_PER_REQUEST"
        )

    def both(self, action: str, params: dict[str, Any]) -> tuple[Any, Any]:
        self.last_local_message = ""
        try:
            local: Any = ("ok", self.local.call(action, params))
        except DynamoDBServiceError as error:
            local = ("error", error.code)
            self.last_local_message = error.message
        method: Callable[..., Any] = getattr(self.client, _snake(action))
        try:
            response = method(**params)
            response.pop("ResponseMetadata", None)
            if "ReturnConsumedCapacity" not in params:
                response.pop("ConsumedCapacity", None)  # KNOWN_MOTO_DIFFERENCES["capacity"]
            remote: Any = ("ok", response)
        except ClientError as error:
            remote = ("error", error.response["Error"]["Code"])
        except Exception:
            remote = ("moto-crash", None)
        return local, remote


def _snake(action: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in action).lstrip("_")


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with moto.mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        pairs = Pair(client)
        pairs.create("Items", ("pk", "S"))
        pairs.create("Sorted", ("pk", "S"), ("sk", "N"))
        yield pairs
        pairs.local.close()


def normalised(value: Any) -> Any:
    """Values compared by meaning: numbers by value, sets without order."""
    if isinstance(value, dict):
        if len(value) == 1:
            kind, data = next(iter(value.items()))
            if kind == "N":
                return ("N", Decimal(data).normalize())
            if kind == "NS":
                return ("NS", frozenset(Decimal(e).normalize() for e in data))
            if kind in ("SS", "BS"):
                return (kind, frozenset(data))
        return {key: normalised(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [normalised(item) for item in value]
    return value


#: DynamoDB's static checks that moto does not make (KNOWN_MOTO_DIFFERENCES["validation"]).
STRICTER_CHECKS = (
    "The first operand must be distinct from the remaining operands",
    "Incorrect operand type for operator or function",
    "The function is not allowed",
    "The expression has redundant parentheses",
    "Operator or function requires a document path",
    "The BETWEEN operator requires",
    "Two document paths",
    # KNOWN_MOTO_DIFFERENCES["invalid-path"]
    "The document path provided in the update expression is invalid for update",
)


def agree(local: Any, remote: Any, local_message: str = "") -> None:
    if remote[0] == "moto-crash":
        return  # KNOWN_MOTO_DIFFERENCES["moto-crash"]
    if local == ("error", "ValidationException") and remote != local:
        detail = local_message.split(": ", 1)[-1]
        if detail.startswith(STRICTER_CHECKS):
            return  # KNOWN_MOTO_DIFFERENCES["validation"]
    assert normalised(local) == normalised(remote), local_message


def agree_both(pair: Pair, action: str, params: dict[str, Any]) -> None:
    local, remote = pair.both(action, params)
    agree(local, remote, pair.last_local_message)


# --------------------------------------------------------------------------- strategies

strings = st.text(alphabet="abxy", min_size=1, max_size=3)
# Integral numbers in varied notations: moto computes + and - in binary floating point
# (KNOWN_MOTO_DIFFERENCES["float"]); fractions are covered by the unit tests.
number_texts = st.builds(
    lambda value, form: form.format(value),
    st.integers(-20, 20),
    st.sampled_from(["{}", "{}.0", "{}.00", "{}e0"]),
)
scalars = st.one_of(
    strings.map(lambda v: {"S": v}),
    number_texts.map(lambda v: {"N": v}),
    st.just({"NULL": True}),
    st.sets(st.sampled_from(["a", "b", "x"]), min_size=1, max_size=3).map(lambda v: {"SS": sorted(v)}),
    st.sets(st.integers(0, 5), min_size=1, max_size=3).map(lambda v: {"NS": [str(e) for e in sorted(v)]}),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(st.sampled_from(["x", "y"]), inner, max_size=2).map(lambda v: {"M": v}),
    ),
    max_leaves=5,
)
attributes = st.dictionaries(st.sampled_from(NAMES), values, max_size=3)


def _comparable_in_moto(value: dict[str, Any]) -> bool:
    """Values moto compares as DynamoDB does (KNOWN_MOTO_DIFFERENCES "null", "falsy", "bool")."""
    kind, data = next(iter(value.items()))
    if kind in ("NULL", "BOOL"):
        return False
    return not (kind == "S" and data == "") and not (kind == "N" and Decimal(data) == 0)


placeholder_values = st.fixed_dictionaries({f":v{i}": scalars.filter(_comparable_in_moto) for i in range(4)})

paths = st.builds(
    lambda name, rest: name + "".join(rest),
    st.sampled_from(NAMES),
    st.lists(st.sampled_from([".x", ".y", "[0]", "[1]"]), max_size=2),
)
value_refs = st.sampled_from([":v0", ":v1", ":v2", ":v3"])
operands = st.one_of(paths, value_refs, paths.map(lambda p: f"size({p})"))
comparators = st.sampled_from(["=", "<>", "<", "<=", ">", ">="])
document_operands = st.one_of(paths, paths.map(lambda p: f"size({p})"))
leaves = st.one_of(
    # One side is always a value: moto treats two missing attributes as equal
    # (KNOWN_MOTO_DIFFERENCES["missing"]).
    st.builds(lambda left, op, right: f"{left} {op} {right}", document_operands, comparators, value_refs),
    st.builds(lambda left, op, right: f"{left} {op} {right}", value_refs, comparators, document_operands),
    st.builds(lambda p, lo, hi: f"{p} BETWEEN {lo} AND {hi}", operands, value_refs, value_refs),
    st.builds(lambda p, a, b: f"{p} IN ({a}, {b})", operands, value_refs, value_refs),
    paths.map(lambda p: f"attribute_exists({p})"),
    paths.map(lambda p: f"attribute_not_exists({p})"),
    st.builds(lambda p, v: f"begins_with({p}, {v})", paths, value_refs),
    st.builds(lambda p, v: f"contains({p}, {v})", paths, value_refs),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"{a} AND {b}", inner, inner),
        st.builds(lambda a, b: f"({a}) OR ({b})", inner, inner),
        inner.map(lambda a: f"NOT ({a})"),
    ),
    max_leaves=3,
)


def used_values(expression: str, available: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in available.items() if key in expression}


def key_item(extra: dict[str, Any]) -> dict[str, Any]:
    return {"pk": {"S": f"k{next(_keys)}"}, **extra}


# --------------------------------------------------------------------------- properties


@SETTINGS
@given(item=attributes, condition=conditions, available=placeholder_values)
def test_condition_expressions_agree(
    pair: Pair, item: dict[str, Any], condition: str, available: dict[str, Any]
) -> None:
    stored = key_item(item)
    pair.both("PutItem", {"TableName": "Items", "Item": stored})
    params: dict[str, Any] = {"TableName": "Items", "Item": stored, "ConditionExpression": condition}
    referenced = used_values(condition, available)
    if referenced:
        params["ExpressionAttributeValues"] = referenced
    agree_both(pair, "PutItem", params)


set_values = st.one_of(
    value_refs,
    paths,
    st.builds(lambda a, b: f"{a} + {b}", st.one_of(value_refs, paths), st.one_of(value_refs, paths)),
    st.builds(lambda a, b: f"{a} - {b}", st.one_of(value_refs, paths), value_refs),
    st.builds(lambda p, v: f"if_not_exists({p}, {v})", paths, value_refs),
    st.builds(lambda a, b: f"list_append({a}, {b})", st.one_of(value_refs, paths), st.one_of(value_refs, paths)),
)
update_actions = st.lists(
    st.one_of(
        st.builds(lambda p, v: ("SET", f"{p} = {v}"), paths, set_values),
        paths.map(lambda p: ("REMOVE", p)),
        st.builds(lambda n, v: ("ADD", f"{n} {v}"), st.sampled_from(NAMES), value_refs),
        st.builds(lambda n, v: ("DELETE", f"{n} {v}"), st.sampled_from(NAMES), value_refs),
    ),
    min_size=1,
    max_size=3,
)


def render_update(actions: list[tuple[str, str]]) -> str:
    clauses: dict[str, list[str]] = {}
    for clause, action in actions:
        clauses.setdefault(clause, []).append(action)
    return " ".join(f"{clause} {', '.join(parts)}" for clause, parts in clauses.items())


@SETTINGS
@given(
    item=attributes,
    actions=update_actions,
    available=placeholder_values,
    exists=st.booleans(),
    mode=st.sampled_from(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"]),
)
def test_update_expressions_agree(
    pair: Pair, item: dict[str, Any], actions: list[tuple[str, str]], available: dict[str, Any], exists: bool, mode: str
) -> None:
    stored = key_item(item)
    if exists:
        pair.both("PutItem", {"TableName": "Items", "Item": stored})
    expression = render_update(actions)
    params: dict[str, Any] = {"TableName": "Items", "Key": {"pk": stored["pk"]}, "UpdateExpression": expression}
    referenced = used_values(expression, available)
    if referenced:
        params["ExpressionAttributeValues"] = referenced
    local, remote = pair.both("UpdateItem", params)
    nested_remove = any(
        clause == "REMOVE" and action != action.split(".")[0].split("[")[0] for clause, action in actions
    )
    if local[0] == "ok" and remote == ("error", "ValidationException"):
        if not exists and nested_remove:
            return  # KNOWN_MOTO_DIFFERENCES["remove-on-missing-item"]
        if re.search(r"if_not_exists\(\w+[.\[]", expression):
            return  # KNOWN_MOTO_DIFFERENCES["if-not-exists-path"]
    agree(local, remote, pair.last_local_message)
    if local[0] == remote[0] == "ok":
        agree_both(pair, "GetItem", {"TableName": "Items", "Key": {"pk": stored["pk"]}})


@SETTINGS
@given(item=attributes, projection=st.lists(paths, min_size=1, max_size=3, unique=True))
def test_projection_expressions_agree(pair: Pair, item: dict[str, Any], projection: list[str]) -> None:
    parents = [re.sub(r"\[\d+\]$", "", path) for path in projection if path.endswith("]")]
    assume(len(parents) == len(set(parents)))  # KNOWN_MOTO_DIFFERENCES["list-projection"]
    assume(not any("][" in path for path in projection))  # KNOWN_MOTO_DIFFERENCES["nested-list-projection"]
    stored = key_item(item)
    pair.both("PutItem", {"TableName": "Items", "Item": stored})
    agree_both(
        pair,
        "GetItem",
        {"TableName": "Items", "Key": {"pk": stored["pk"]}, "ProjectionExpression": ", ".join(projection)},
    )


range_conditions = st.one_of(
    st.just(""),
    st.builds(lambda op: f" AND sk {op} :r0", st.sampled_from(["=", "<", "<=", ">", ">="])),
    st.just(" AND sk BETWEEN :r0 AND :r1"),
)


@SETTINGS
@given(
    sort_keys=st.sets(st.integers(-10, 10), max_size=8),
    range_condition=range_conditions,
    bounds=st.tuples(st.integers(-12, 12), st.integers(-12, 12)),
    forward=st.booleans(),
    limit=st.one_of(st.none(), st.integers(1, 5)),
)
def test_key_conditions_agree(
    pair: Pair, sort_keys: set[int], range_condition: str, bounds: tuple[int, int], forward: bool, limit: int | None
) -> None:
    partition = {"S": f"p{next(_keys)}"}
    for sort_key in sort_keys:
        pair.both("PutItem", {"TableName": "Sorted", "Item": {"pk": partition, "sk": {"N": str(sort_key)}}})
    low, high = sorted(bounds)
    expression = "pk = :p" + range_condition
    available = {":p": partition, ":r0": {"N": str(low)}, ":r1": {"N": str(high)}}
    params: dict[str, Any] = {
        "TableName": "Sorted",
        "KeyConditionExpression": expression,
        "ExpressionAttributeValues": used_values(expression, available),
        "ScanIndexForward": forward,
    }
    if limit is not None:
        params["Limit"] = limit
    local, remote = pair.both("Query", params)
    for response in (local, remote):
        if response[0] == "ok":
            response[1].pop("LastEvaluatedKey", None)  # KNOWN_MOTO_DIFFERENCES["limit"]
    agree(local, remote, pair.last_local_message)


@SETTINGS
@given(items=st.lists(attributes, min_size=1, max_size=5), condition=conditions, available=placeholder_values)
def test_filter_expressions_agree(
    pair: Pair, items: list[dict[str, Any]], condition: str, available: dict[str, Any]
) -> None:
    partition = {"S": f"f{next(_keys)}"}
    for position, item in enumerate(items):
        pair.both("PutItem", {"TableName": "Sorted", "Item": {"pk": partition, "sk": {"N": str(position)}, **item}})
    params: dict[str, Any] = {
        "TableName": "Sorted",
        "KeyConditionExpression": "pk = :p",
        "FilterExpression": condition,
        "ExpressionAttributeValues": {":p": partition, **used_values(condition, available)},
    }
    local, remote = pair.both("Query", params)
    assume(remote[0] != "moto-crash")
    agree(local, remote, pair.last_local_message)
