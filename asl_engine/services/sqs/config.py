"""The ``[sqs]`` section of ``asl.toml``: the queues that exist (a closed list).

::

    [sqs]
    queues = ["orders", "jobs.fifo"]               # only these exist; others fail as on AWS

    [sqs.queues.events.fifo]                        # or a table per queue, with its settings
    content_based_deduplication = true

Without the section every queue a workflow names exists.
"""

from __future__ import annotations

from typing import Any

from asl_engine.errors import ConfigurationError
from asl_engine.services.sections import ConfigSection, only_keys, table_at
from asl_engine.services.sqs.queues import SqsService


def configure(section: ConfigSection, service: SqsService) -> None:
    only_keys(section.values, ("queues",), section.where)
    queues = section.values.get("queues", [])
    where = section.where / "queues"
    specs: dict[str, dict[str, Any]]
    if isinstance(queues, list):
        specs = {}
        for name in queues:
            if not isinstance(name, str):
                raise where.error(f"expected queue names, got {name!r}")
            specs[name] = {}
    else:
        specs = {name: table_at(spec, where / name) for name, spec in table_at(queues, where).items()}
    for name, spec in specs.items():
        only_keys(spec, ("content_based_deduplication",), where / name)
        deduplication = spec.get("content_based_deduplication", False)
        if not isinstance(deduplication, bool):
            raise (where / name / "content_based_deduplication").error("expected true or false")
        try:
            service.declare(name, content_based_deduplication=deduplication)
        except ConfigurationError as error:
            raise (where / name).error(str(error)) from None
    if not specs and "queues" in section.values:
        service.closed = True
