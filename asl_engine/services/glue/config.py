"""The ``[glue]`` section of ``asl.toml``: jobs under ``[glue.jobs.<name>]``.

::

    [glue.jobs.nightly-etl]
    handler = "jobs:run_etl"
    max_concurrent_runs = 1
    default_arguments = { "--stage" = "dev" }
"""

from __future__ import annotations

from asl_engine.errors import ConfigurationError
from asl_engine.services.glue.jobs import WORKER_TYPES, GlueJob, GlueService
from asl_engine.services.sections import ConfigSection, handler_settings, table_at

_SETTINGS = (
    "handler",
    "max_concurrent_runs",
    "default_arguments",
    "glue_version",
    "worker_type",
    "number_of_workers",
    "timeout",
)


def configure(section: ConfigSection, service: GlueService) -> None:
    unknown = [key for key in section.values if key != "jobs"]
    if unknown:
        raise (section.where / unknown[0]).error("unknown key; Glue jobs go in [glue.jobs.<name>]")
    jobs = table_at(section.values.get("jobs", {}), section.where / "jobs")
    for name, spec in jobs.items():
        where = section.where / "jobs" / name
        options = handler_settings(spec, where, _SETTINGS)
        run = section.callable(options.pop("handler"), where / "handler" if isinstance(spec, dict) else where)
        arguments = options.get("default_arguments", {})
        if not isinstance(arguments, dict) or not all(isinstance(v, str) for v in arguments.values()):
            raise (where / "default_arguments").error("expected a table of string values")
        if "worker_type" in options and options["worker_type"] not in WORKER_TYPES:
            raise (where / "worker_type").error(f"expected one of {', '.join(WORKER_TYPES)}")
        try:
            service.add_job(GlueJob(name, run, **options))
        except ConfigurationError as error:
            raise where.error(str(error)) from None
