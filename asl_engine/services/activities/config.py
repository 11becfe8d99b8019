"""The ``[activities]`` section of ``asl.toml``: the activities that exist, and their in-process workers.

::

    [activities]
    approve-order = "workers:approve"               # a worker function: worker(input) -> output
    manual-review = {}                              # no worker here: poll it (resources.activity(...).poll())
    [activities.ship]
    worker = "workers:ship"
    worker_name = "shipping"                        # ActivityStarted's workerName (default "asl-engine")
"""

from __future__ import annotations

from asl_engine.errors import ConfigurationError
from asl_engine.services.activities.registry import Activities
from asl_engine.services.sections import ConfigSection, only_keys, table_at


def configure(section: ConfigSection, activities: Activities) -> None:
    for name, spec in section.values.items():
        where = section.where / name
        worker = None
        worker_name = None
        if isinstance(spec, str):
            worker = section.callable(spec, where)
        else:
            options = table_at(spec, where)
            only_keys(options, ("worker", "worker_name"), where)
            if "worker" in options:
                worker = section.callable(options["worker"], where / "worker")
            worker_name = options.get("worker_name")
            if worker_name is not None and not isinstance(worker_name, str):
                raise (where / "worker_name").error("expected text")
        try:
            activity = activities.create(name, worker=worker)
        except ConfigurationError as error:
            raise where.error(str(error)) from None
        if worker_name is not None:
            activity.worker_name = worker_name
