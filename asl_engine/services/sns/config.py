"""The ``[sns]`` section of ``asl.toml``: the topics that exist (a closed list) and their subscriptions.

::

    [sns]
    topics = ["order-events"]                       # only these exist; others fail as on AWS

    [sns.topics.order-events]                       # or a table per topic
    subscriptions = ["audit-queue"]                 # SQS queues that receive what is published
    raw_message_delivery = false                    # true: the message itself, not SNS's envelope
    content_based_deduplication = false             # FIFO topics

Without the section every topic a workflow names exists.
"""

from __future__ import annotations

from typing import Any

from asl_engine.errors import ConfigurationError
from asl_engine.services.sections import ConfigSection, only_keys, table_at
from asl_engine.services.sns.topics import SnsService

_SETTINGS = ("subscriptions", "raw_message_delivery", "content_based_deduplication")


def configure(section: ConfigSection, service: SnsService) -> None:
    only_keys(section.values, ("topics",), section.where)
    topics = section.values.get("topics", [])
    where = section.where / "topics"
    specs: dict[str, dict[str, Any]]
    if isinstance(topics, list):
        specs = {}
        for name in topics:
            if not isinstance(name, str):
                raise where.error(f"expected topic names, got {name!r}")
            specs[name] = {}
    else:
        specs = {name: table_at(spec, where / name) for name, spec in table_at(topics, where).items()}
    for name, spec in specs.items():
        at = where / name
        only_keys(spec, _SETTINGS, at)
        for flag in ("raw_message_delivery", "content_based_deduplication"):
            if not isinstance(spec.get(flag, False), bool):
                raise (at / flag).error("expected true or false")
        queues = spec.get("subscriptions", [])
        if not isinstance(queues, list) or not all(isinstance(queue, str) for queue in queues):
            raise (at / "subscriptions").error("expected a list of SQS queue names or URLs")
        try:
            service.declare(name, content_based_deduplication=spec.get("content_based_deduplication", False))
            for queue in queues:
                service.subscribe(name, queue, raw=spec.get("raw_message_delivery", False))
        except ConfigurationError as error:
            raise at.error(str(error)) from None
    if "topics" in section.values:
        service.closed = True
