"""Amazon SNS, embedded: topics behind ``arn:aws:states:::sns:publish``, delivering to SQS queues."""

from asl_engine.services.sns.topics import SnsMessage, SnsService, Subscription, Topic

__all__ = ["SnsMessage", "SnsService", "Subscription", "Topic"]
