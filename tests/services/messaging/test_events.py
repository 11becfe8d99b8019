"""The embedded EventBridge behind ``arn:aws:states:::events:putEvents``: the recorded answer and
failures, buses, and rules that deliver matching events to queues."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl_engine.errors import ConfigurationError
from asl_engine.services import Resources, load_resources
from asl_engine.services.events.patterns import check_pattern, matches
from tests.services.support import clock, task_machine

PUT = "arn:aws:states:::events:putEvents"


def put(resources: Resources, entries: Any) -> Any:
    return task_machine(PUT, Parameters={"Entries": entries}).execute({}, resources=resources, clock=clock())


def test_put_events_answers_as_recorded() -> None:
    resources = Resources()
    output = put(resources, [{"Source": "shop", "DetailType": "OrderCreated", "Detail": '{"id": 1}'}]).output
    assert list(output) == ["Entries", "FailedEntryCount"]  # no SDK metadata, as recorded on AWS
    assert output["FailedEntryCount"] == 0
    (event,) = resources.outbox.events()
    assert (event.id, event.source, event.detail_type, event.detail) == (
        output["Entries"][0]["EventId"],
        "shop",
        "OrderCreated",
        {"id": 1},
    )
    assert event.bus == "default" and event.time == "2024-01-01T00:00:00Z"


def test_refused_entries_fail_the_task_with_the_whole_answer() -> None:
    resources = Resources()
    execution = put(
        resources,
        [
            {"Source": "shop", "DetailType": "t", "Detail": {"ok": True}},
            {"Source": "shop", "DetailType": "t", "Detail": '"jsonstring"'},
            {"DetailType": "t", "Detail": "{}"},
        ],
    )
    assert execution.error == "EventBridge.FailedEntry"
    cause = json.loads(execution.cause or "")
    assert cause["FailedEntryCount"] == 2
    assert cause["Entries"][1:] == [
        {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
        {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument.",
        },
    ]
    assert len(resources.outbox.events()) == 1  # the accepted entry was put


def test_more_than_ten_entries_is_a_service_error() -> None:
    execution = put(Resources(), [{"Source": "s", "DetailType": "t", "Detail": "{}"}] * 11)
    assert execution.error == "EventBridge.AmazonEventBridgeException"
    assert execution.cause is not None and "Member must have length less than or equal to 10" in execution.cause


def test_rules_deliver_matching_events_to_queues(tmp_path: Path) -> None:
    file = tmp_path / "asl.toml"
    file.write_text(
        '[events]\nbuses = ["orders"]\n'
        '[events.rules.big-orders]\nbus = "orders"\nqueues = ["big"]\n'
        'pattern = { source = ["shop"], detail = { total = [{ numeric = [">", 100] }] } }\n'
    )
    resources = load_resources(file)
    put(
        resources,
        [
            {"Source": "shop", "DetailType": "t", "Detail": {"total": 500}, "EventBusName": "orders"},
            {"Source": "shop", "DetailType": "t", "Detail": {"total": 5}, "EventBusName": "orders"},
            {"Source": "shop", "DetailType": "t", "Detail": {"total": 900}},
        ],
    )
    (delivered,) = resources.sqs.messages("big")
    document = delivered.json()
    assert (document["detail"], document["source"], document["version"]) == ({"total": 500}, "shop", "0")
    assert len(resources.events.put("orders")) == 2 and len(resources.events.put()) == 1


def test_events_for_an_unknown_bus_are_dropped_as_on_aws() -> None:
    resources = Resources()
    resources.events.declare("orders")
    output = put(resources, [{"Source": "s", "DetailType": "t", "Detail": "{}", "EventBusName": "typo"}]).output
    assert output["FailedEntryCount"] == 0
    assert [event.bus for event in resources.events.dropped] == ["typo"]


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ({"source": ["a", "b"]}, {"source": "b"}, True),
        ({"source": ["a"]}, {"source": "c"}, False),
        ({"detail": {"tags": ["x"]}}, {"detail": {"tags": ["y", "x"]}}, True),
        ({"source": [{"prefix": "com."}]}, {"source": "com.shop"}, True),
        ({"source": [{"suffix": ".shop"}]}, {"source": "com.shop"}, True),
        ({"source": [{"anything-but": ["a", "b"]}]}, {"source": "c"}, True),
        ({"source": [{"anything-but": {"prefix": "com."}}]}, {"source": "com.shop"}, False),
        ({"detail": {"n": [{"numeric": [">=", 1, "<", 3]}]}}, {"detail": {"n": 2}}, True),
        ({"detail": {"n": [{"numeric": [">=", 1, "<", 3]}]}}, {"detail": {"n": 3}}, False),
        ({"detail": {"n": [{"exists": False}]}}, {"detail": {}}, True),
        ({"detail": {"n": [{"exists": True}]}}, {"detail": {}}, False),
        ({"source": [{"equals-ignore-case": "SHOP"}]}, {"source": "shop"}, True),
        ({"source": [{"wildcard": "com.*.orders"}]}, {"source": "com.eu.orders"}, True),
        ({"detail": {"flag": [True]}}, {"detail": {"flag": 1}}, False),
        ({"detail": {"n": [1]}}, {"detail": {"n": 1.0}}, True),
    ],
)
def test_pattern_matching(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    check_pattern(pattern)
    assert matches(pattern, event) is expected


@given(st.text(max_size=8), st.text(max_size=8))
def test_prefix_matches_exactly_the_strings_that_start_with_it(prefix: str, value: str) -> None:
    assert matches({"source": [{"prefix": prefix}]}, {"source": value}) == value.startswith(prefix)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ({}, "non-empty JSON object"),
        ({"source": "shop"}, "expected a list"),
        ({"source": [{"cidr": "10.0.0.0/24"}]}, "'cidr' is not emulated"),
        ({"detail": {"n": [{"numeric": [">"]}]}}, "operator, number pairs"),
    ],
)
def test_bad_patterns_are_refused_when_declared(pattern: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Resources().events.rule("r", pattern, ["q"])


def test_wait_for_task_token_through_a_rule_to_a_queue() -> None:
    resources = Resources()
    resources.events.rule("approvals", {"detail-type": ["ApprovalNeeded"]}, ["approvals"])
    resources.sqs.on_message(
        "approvals", lambda message: resources.send_task_success(message.json()["detail"]["token"], {"ok": 1})
    )
    machine = task_machine(
        PUT + ".waitForTaskToken",
        Parameters={
            "Entries": [{"Source": "shop", "DetailType": "ApprovalNeeded", "Detail": {"token.$": "$$.Task.Token"}}]
        },
    )
    execution = machine.execute({}, resources=resources, clock=clock())
    assert execution.output == {"ok": 1}
    assert [e["type"] for e in execution.history][2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]
