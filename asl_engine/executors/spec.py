"""Executors by name: ``in-process``, ``processes[:N]``, ``dask``, ``dask://HOST:PORT``.

The name is what ``asl run --executor``, ``asl.toml``'s ``[executor] use`` and
``execute(..., executor=...)`` accept. A Dask executor without Dask installed is an
``ExecutorUnavailable`` error saying how to install it.
"""

from __future__ import annotations

import importlib.util

from asl_engine.errors import ConfigurationError
from asl_engine.executors.dask_cluster import DaskExecutor
from asl_engine.executors.processes import ProcessesExecutor
from asl_engine.runtime.map_run.executor import ChildExecutor
from asl_engine.runtime.map_run.in_process import IN_PROCESS, InProcessExecutor
from asl_engine.services.registry import ExecutorConfig

EXECUTOR_NAMES = "in-process, processes, processes:N, dask or dask://HOST:PORT"


class ExecutorUnavailable(ConfigurationError):
    """The executor needs a package that is not installed (Dask: the ``[dask]`` extra)."""


def executor_from_name(
    name: str, *, batch_size: int | None = None, retries: int | None = None, upload: bool = True
) -> ChildExecutor:
    """The executor ``name`` describes; ``ConfigurationError`` for a name it does not know."""
    text = name.strip()
    if text == IN_PROCESS:
        return InProcessExecutor()
    kind, _, argument = text.partition(":")
    if kind == "processes":
        if not argument:
            return ProcessesExecutor(batch_size=batch_size, retries=retries)
        if not argument.isdigit() or int(argument) < 1:
            raise ConfigurationError(f"executor {name!r}: the number of processes must be a positive integer")
        return ProcessesExecutor(int(argument), batch_size=batch_size, retries=retries)
    if kind == "dask":
        _need_dask()
        if not argument:
            return DaskExecutor(batch_size=batch_size, retries=retries)
        address = argument.removeprefix("//")
        host, _, port = address.rpartition(":")
        if not argument.startswith("//") or not host or not port.isdigit():
            raise ConfigurationError(f"executor {name!r}: a Dask scheduler is given as dask://HOST:PORT")
        return DaskExecutor(f"tcp://{address}", batch_size=batch_size, retries=retries, upload=upload)
    raise ConfigurationError(f"unknown executor {name!r}: expected {EXECUTOR_NAMES}")


def resolve_executor(
    executor: str | ChildExecutor | None, configured: ExecutorConfig | None = None
) -> ChildExecutor | None:
    """The executor of an execution: ``executor`` (a name or an executor), else the ``asl.toml``
    ``[executor]`` section ``configured``; None means in-process."""
    if executor is None:
        if configured is None:
            return None
        try:
            chosen = executor_from_name(
                configured.use, batch_size=configured.batch_size, retries=configured.retries, upload=configured.upload
            )
        except ExecutorUnavailable as error:
            raise ExecutorUnavailable(f"{configured.where}: {error}") from None
        except ConfigurationError as error:
            raise ConfigurationError(f"{configured.where}: {error}") from None
    elif isinstance(executor, str):
        chosen = executor_from_name(executor)
    else:
        chosen = executor
    return None if isinstance(chosen, InProcessExecutor) else chosen


def _need_dask() -> None:
    if importlib.util.find_spec("distributed") is None:
        raise ExecutorUnavailable(
            "the dask executor needs Dask, which is not installed: pip install 'asl-engine[dask]'"
        )
