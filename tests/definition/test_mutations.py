"""Break valid definitions one way at a time: each check must report its code at the exact place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from asl_engine.definition.validate import validate_document

from .support import LAMBDA_RETRY, deep

JSONPATH_BASE: dict[str, Any] = {
    "StartAt": "Fetch",
    "States": {
        "Fetch": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "worker", "Payload.$": "$"},
            "Retry": [*LAMBDA_RETRY, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
            "Next": "Check",
        },
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThan": 3, "Next": "Fan"}],
            "Default": "Later",
        },
        "Later": {"Type": "Wait", "Seconds": 1, "Next": "Fetch"},
        "Fan": {
            "Type": "Parallel",
            "Next": "Each",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}},
            ],
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "Label": "each",
            "Next": "Done",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Work",
                "States": {"Work": {"Type": "Pass", "End": True}},
            },
        },
        "Failed": {"Type": "Fail", "Error": "Boom"},
        "Done": {"Type": "Succeed"},
    },
}

JSONATA_BASE: dict[str, Any] = {
    "QueryLanguage": "JSONata",
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Assign": {"count": "{% $states.input.n %}"},
            "Output": {"ok": True},
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Default": "Finish",
            "Choices": [{"Condition": "{% $count > 3 %}", "Next": "Finish", "Assign": {"big": True}}],
        },
        "Finish": {"Type": "Succeed", "Output": "{% $count %}"},
    },
}

LOOP_BASE: dict[str, Any] = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "End"}],
            "Default": "A",
        },
        "End": {"Type": "Succeed"},
    },
}

EXPRESS_BASE: dict[str, Any] = {
    "StartAt": "Send",
    "States": {
        "Send": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "End": True,
            "Parameters": {"QueueUrl": "q", "MessageBody": "m"},
        }
    },
}

DISTRIBUTED_BASE: dict[str, Any] = {
    "StartAt": "EachRow",
    "States": {
        "EachRow": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                "Parameters": {"Bucket": "b", "Key": "k.csv"},
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Row",
                "States": {"Row": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
    },
}

Mutation = Callable[[dict[str, Any]], None]
Expected = list[tuple[str, str, str | None]]


def _set(path: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = document
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


def _both(*mutations: Mutation) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(document)

    return mutate


def _swap_retriers(document: dict[str, Any]) -> None:
    document["States"]["Fetch"]["Retry"].reverse()


E, W = "ERROR", "WARNING"
CASES: list[tuple[str, dict[str, Any], Mutation, str, Expected]] = [
    (
        "start-at names no state",
        JSONPATH_BASE,
        _set("StartAt", "Fetchh"),
        "STANDARD",
        [(E, "MISSING_TRANSITION_TARGET", "/StartAt")],
    ),
    (
        "default names no state",
        JSONPATH_BASE,
        _set("States/Check/Default", "Latr"),
        "STANDARD",
        [(E, "MISSING_TRANSITION_TARGET", "/States/Check/Default"), (E, "MISSING_TRANSITION_TARGET", "/States/Later")],
    ),
    (
        "catch names no state",
        JSONPATH_BASE,
        _set("States/Fetch/Catch/0/Next", "Fail"),
        "STANDARD",
        [
            (E, "MISSING_TRANSITION_TARGET", "/States/Fetch/Catch/0/Next"),
            (E, "MISSING_TRANSITION_TARGET", "/States/Failed"),
        ],
    ),
    (
        "choice rule names no state",
        JSONPATH_BASE,
        _set("States/Check/Choices/0/Next", "Fann"),
        "STANDARD",
        [
            (E, "MISSING_TRANSITION_TARGET", "/States/Check/Choices/0/Next"),
            (E, "MISSING_TRANSITION_TARGET", "/States/Fan"),
            (W, "UNREACHABLE_STATE", "/States/Each"),
            (W, "UNREACHABLE_STATE", "/States/Done"),
        ],
    ),
    (
        "transition leaves a branch",
        JSONPATH_BASE,
        _set("States/Fan/Branches/0/States/Left", {"Type": "Pass", "Next": "Done"}),
        "STANDARD",
        [
            (E, "MISSING_END_STATE", "/States/Fan/Branches/0"),
            (E, "MISSING_TRANSITION_TARGET", "/States/Fan/Branches/0/States/Left/Next"),
        ],
    ),
    (
        "unreferenced state",
        JSONPATH_BASE,
        _set("States/Orphan", {"Type": "Pass", "End": True}),
        "STANDARD",
        [(E, "MISSING_TRANSITION_TARGET", "/States/Orphan")],
    ),
    (
        "no terminal state",
        LOOP_BASE,
        _set("States/B/Choices/0/Next", "A"),
        "STANDARD",
        [(W, "LOOP_WITHOUT_EXIT", "/States/A"), (E, "MISSING_TRANSITION_TARGET", "/States/End")],
    ),
    (
        "no terminal state at all",
        LOOP_BASE,
        _set("States/End", {"Type": "Pass", "Next": "A"}),
        "STANDARD",
        [(E, "MISSING_END_STATE", None)],
    ),
    (
        "state name used twice",
        JSONPATH_BASE,
        _set(
            "States/Each/ItemProcessor",
            {
                "StartAt": "Done",
                "States": {"Done": {"Type": "Pass", "End": True}},
                "ProcessorConfig": {"Mode": "INLINE"},
            },
        ),
        "STANDARD",
        [(E, "DUPLICATE_STATE_NAME", "/States/Each/ItemProcessor/States/Done")],
    ),
    (
        "End and Next together",
        JSONPATH_BASE,
        _set("States/Later/End", True),
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Later")],
    ),
    (
        "Choice with Next",
        JSONPATH_BASE,
        _set("States/Check/Next", "Done"),
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Check")],
    ),
    (
        "Succeed with End",
        JSONPATH_BASE,
        _set("States/Done/End", True),
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Done")],
    ),
    (
        "States.ALL not alone",
        JSONPATH_BASE,
        _set("States/Fetch/Catch/0/ErrorEquals", ["States.ALL", "X"]),
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Fetch/Catch/0/ErrorEquals")],
    ),
    (
        "States.ALL retrier not last",
        JSONPATH_BASE,
        _swap_retriers,
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Fetch/Retry/0")],
    ),
    (
        "misspelt predefined error",
        JSONPATH_BASE,
        _set("States/Fetch/Catch/0/ErrorEquals", ["States.Timout"]),
        "STANDARD",
        [(W, "UNKNOWN_ERROR_NAME", "/States/Fetch/Catch/0/ErrorEquals/0")],
    ),
    (
        "express with distributed map",
        JSONPATH_BASE,
        lambda document: None,
        "EXPRESS",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Each/ItemProcessor/ProcessorConfig/Mode")],
    ),
    (
        "express with .sync",
        EXPRESS_BASE,
        _set("States/Send/Resource", "arn:aws:states:::states:startExecution.sync"),
        "EXPRESS",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Send/Resource")],
    ),
    (
        "express with callback",
        EXPRESS_BASE,
        _set("States/Send/Resource", "arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
        "EXPRESS",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Send/Resource")],
    ),
    (
        "express with activity",
        EXPRESS_BASE,
        _set("States/Send/Resource", "arn:aws:states:us-east-1:123456789012:activity:a"),
        "EXPRESS",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Send/Resource")],
    ),
    (
        "query language downgrade",
        JSONATA_BASE,
        _set("States/Finish/QueryLanguage", "JSONPath"),
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Finish"), (E, "SCHEMA_VALIDATION_FAILED", "/States/Finish")],
    ),
    (
        "label with a space",
        JSONPATH_BASE,
        _set("States/Each/Label", "each item"),
        "STANDARD",
        [(E, "INVALID_LABEL_NAME", "/States/Each/Label")],
    ),
    (
        "label too long",
        JSONPATH_BASE,
        _set("States/Each/Label", "x" * 41),
        "STANDARD",
        [(E, "INVALID_LABEL_NAME", "/States/Each/Label")],
    ),
    (
        "reserved variable",
        JSONATA_BASE,
        _set("States/Prepare/Assign", {"states": 1}),
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Prepare/Assign/states")],
    ),
    (
        "variable not an identifier",
        JSONATA_BASE,
        _set("States/Decide/Choices/0/Assign", {"1st": 1}),
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Decide/Choices/0/Assign/1st")],
    ),
    (
        "variable too long",
        JSONATA_BASE,
        _set("States/Prepare/Assign", {"v" * 81: 1}),
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Prepare/Assign/" + "v" * 81)],
    ),
    (
        "misspelt field",
        JSONPATH_BASE,
        _set("States/Later/Secnds", 2),
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Later")],
    ),
    (
        "misspelt type",
        JSONPATH_BASE,
        _set("States/Later/Type", "wait"),
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Later/Type")],
    ),
    (
        "bad timestamp",
        JSONPATH_BASE,
        _both(_delete("States/Later/Seconds"), _set("States/Later/Timestamp", "tomorrow")),
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Later/Timestamp")],
    ),
    (
        "unsupplied substitution",
        JSONPATH_BASE,
        _set("States/Fetch/Resource", "${FetchArn}"),
        "STANDARD",
        [(E, "SCHEMA_VALIDATION_FAILED", "/States/Fetch/Resource")],
    ),
    (
        "choice without default",
        JSONPATH_BASE,
        _both(_delete("States/Check/Default"), _set("States/Later/Type", "Wait")),
        "STANDARD",
        [(W, "CHOICE_WITHOUT_DEFAULT", "/States/Check"), (E, "MISSING_TRANSITION_TARGET", "/States/Later")],
    ),
    (
        "lambda without retry",
        JSONPATH_BASE,
        _delete("States/Fetch/Retry"),
        "STANDARD",
        [("ADVICE", "LAMBDA_WITHOUT_RETRY", "/States/Fetch")],
    ),
    (
        "items path beside an item reader",
        DISTRIBUTED_BASE,
        _set("States/EachRow/ItemsPath", "$.rows"),
        "STANDARD",
        [(W, "ITEMS_IGNORED_WITH_ITEM_READER", "/States/EachRow/ItemsPath")],
    ),
    (
        "island of states",
        LOOP_BASE,
        _both(_set("States/C", {"Type": "Pass", "Next": "D"}), _set("States/D", {"Type": "Pass", "Next": "C"})),
        "STANDARD",
        [(W, "UNREACHABLE_STATE", "/States/C"), (W, "UNREACHABLE_STATE", "/States/D")],
    ),
]


def test_the_bases_are_clean() -> None:
    for base in (JSONPATH_BASE, JSONATA_BASE, LOOP_BASE, EXPRESS_BASE, DISTRIBUTED_BASE):
        assert validate_document(base, advice=True) == []
    assert validate_document(EXPRESS_BASE, machine_type="EXPRESS", advice=True) == []


@pytest.mark.parametrize(("name", "base", "mutate", "machine_type", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_mutation_is_reported_exactly(
    name: str, base: dict[str, Any], mutate: Mutation, machine_type: str, expected: Expected
) -> None:
    document = deep(base)
    mutate(document)
    found = validate_document(document, machine_type=machine_type, advice=True)
    assert [(d.severity, d.code, d.location) for d in found] == expected, found
