"""Amazon EventBridge, embedded: event buses behind ``arn:aws:states:::events:putEvents``, with rules
that deliver to SQS queues."""

from asl_engine.services.events.buses import Event, EventsService, Rule

__all__ = ["Event", "EventsService", "Rule"]
