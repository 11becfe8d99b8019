"""AWS Glue: local jobs behind ``arn:aws:states:::glue:startJobRun`` (request-response and ``.sync``)."""

from asl_engine.services.glue.jobs import GlueJob, GlueJobFunction, GlueService, GlueStartJobRunTask

__all__ = ["GlueJob", "GlueJobFunction", "GlueService", "GlueStartJobRunTask"]
