"""The Dask worker plugin that unpacks a project on every worker of a cluster (``upload.py``).

Imported only by the Dask executor and, through the pickled plugin, by the workers: it needs Dask
(the ``[dask]`` extra). A plugin is run by every worker present and by every worker that joins or
restarts later, so a worker that replaces a dead one has the project too.
"""

from __future__ import annotations

import os
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from asl_engine.executors.upload import ProjectUpload, install


class ProjectPlugin(WorkerPlugin):
    """Unpacks one project upload on each worker (idempotent: registered again, it is not re-sent)."""

    idempotent = True

    def __init__(self, upload: ProjectUpload) -> None:
        self.upload = upload
        self.name = f"asl-engine-project-{upload.key[:16]}"

    def setup(self, worker: Any) -> None:
        install(self.upload, os.path.join(worker.local_directory, "asl-engine-projects"))
