"""Glue's row in the table: ``arn:aws:states:::glue:startJobRun`` (request-response and ``.sync``)."""

from __future__ import annotations

from asl_engine.services.glue import config
from asl_engine.services.glue.jobs import GlueService, GlueStartJobRunTask
from asl_engine.services.integration import Integration, Route

START_JOB_RUN = Route("service", "glue", frozenset({"startJobRun"}), ("request-response", "sync"))

INTEGRATION: Integration[GlueService] = Integration(
    name="glue",
    new_state=GlueService,
    routes=((START_JOB_RUN, lambda service, resource, account: GlueStartJobRunTask(service)),),
    section="glue",
    configure=config.configure,
    describe=lambda service: f"glue={service.job_names()}",
)
