"""The ``[events]`` section of ``asl.toml``: event buses (a closed list) and rules delivering to queues.

::

    [events]
    buses = ["orders"]                              # the default bus always exists

    [events.rules.order-created]
    bus = "orders"                                  # default: "default"
    pattern = { source = ["shop"], detail-type = ["OrderCreated"] }
    queues = ["order-events"]                       # SQS queues that receive the matching events

Without ``buses`` every bus a workflow names exists.
"""

from __future__ import annotations

from asl_engine.errors import ConfigurationError
from asl_engine.services.events.buses import DEFAULT_BUS, EventsService
from asl_engine.services.sections import ConfigSection, only_keys, table_at


def configure(section: ConfigSection, service: EventsService) -> None:
    only_keys(section.values, ("buses", "rules"), section.where)
    if "buses" in section.values:
        buses = section.values["buses"]
        if not isinstance(buses, list) or not all(isinstance(name, str) for name in buses):
            raise (section.where / "buses").error("expected a list of event bus names")
        try:
            for name in buses:
                service.create_bus(name)
        except ConfigurationError as error:
            raise (section.where / "buses").error(str(error)) from None
        service.closed = True
    rules = table_at(section.values.get("rules", {}), section.where / "rules")
    for name, spec in rules.items():
        where = section.where / "rules" / name
        options = table_at(spec, where)
        only_keys(options, ("bus", "pattern", "queues"), where)
        bus = options.get("bus", DEFAULT_BUS)
        if not isinstance(bus, str):
            raise (where / "bus").error("expected an event bus name")
        if "pattern" not in options or "queues" not in options:
            raise where.error("a rule needs a 'pattern' and 'queues'")
        queues = options["queues"]
        if not isinstance(queues, list) or not all(isinstance(queue, str) for queue in queues):
            raise (where / "queues").error("expected a list of SQS queue names or URLs")
        try:
            service.rule(name, options["pattern"], queues, bus=bus)
        except ConfigurationError as error:
            raise where.error(str(error)) from None
