"""Distributed Map machines for the ItemReader/ItemBatcher/ResultWriter tests."""

from __future__ import annotations

from typing import Any

from asl_engine import StateMachine

PROCESSOR = {
    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    "StartAt": "Echo",
    "States": {"Echo": {"Type": "Pass", "End": True}},
}


def distributed_map(
    query_language: str = "JSONPath", processor: dict[str, Any] | None = None, **fields: Any
) -> StateMachine:
    """A machine whose only state, ``Map``, is a Distributed Map with ``fields``."""
    state = {"Type": "Map", "ItemProcessor": processor or PROCESSOR, "End": True, **fields}
    return StateMachine.from_json(
        {"QueryLanguage": query_language, "StartAt": "Map", "States": {"Map": state}}, name="Machine"
    )


def reader(input_type: str | None = "JSON", resource: str = "getObject", **config: Any) -> dict[str, Any]:
    """An ItemReader on ``bucket``/``key`` (JSONPath)."""
    reader_config = {"InputType": input_type, **config} if input_type else dict(config)
    return {
        "Resource": f"arn:aws:states:::s3:{resource}",
        "ReaderConfig": reader_config,
        "Parameters": {"Bucket": "bucket", "Key": "key"},
    }


def event_types(execution: Any) -> list[str]:
    return [event["type"] for event in execution.history]


def details(execution: Any, event_type: str) -> list[dict[str, Any]]:
    member = event_type[0].lower() + event_type[1:] + "EventDetails"
    return [event.get(member, {}) for event in execution.history if event["type"] == event_type]
