"""Amazon SQS, embedded: queues behind ``arn:aws:states:::sqs:sendMessage``."""

from asl_engine.services.sqs.queues import Queue, SqsMessage, SqsService

__all__ = ["Queue", "SqsMessage", "SqsService"]
