"""The project directory of an ``asl.toml``, sent to the workers of an existing Dask cluster.

A worker loads the resources again from the ``asl.toml`` the driver loaded (``job.ConfigFileRecipe``):
its handler modules, seed files and definitions. On a cluster's other machines that directory is
usually absent, so the driver zips it (``project_upload``) and every worker, present and future,
unpacks it once (``install``, run by the Dask plugin in ``dask_plugin.py``) and loads the copy.

What is not copied: hidden files and directories, ``__pycache__``, virtual environments, and the
data of the embedded S3 and DynamoDB. That data is what the children share with the driver, so it
stays where it is: the copy holds a link to each such path, and a worker on another machine needs
it at that path (a shared file system), as docs/scaling.md says.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

from asl_engine.errors import ConfigurationError

UPLOAD_LIMIT_BYTES = 64 * 1024 * 1024
"""The largest project archive sent to a cluster (its handlers and configuration, not its data)."""
_SKIPPED_DIRECTORIES = frozenset({"__pycache__", "node_modules", "site-packages"})


@dataclass(frozen=True, slots=True)
class ProjectUpload:
    """A project directory as the workers receive it."""

    directory: str
    """The directory on the driver (absolute): what the workers' copy stands for."""
    key: str
    """The archive's digest: a worker unpacks each archive once."""
    archive: bytes
    links: tuple[tuple[str, str], ...] = ()
    """(path inside the project, absolute path on the driver) of the data kept by path, not copied."""


def project_upload(config_file: str | os.PathLike[str], shared: list[Path]) -> ProjectUpload:
    """The archive of the directory of ``config_file``, without the paths in ``shared`` (linked instead)."""
    directory = Path(config_file).resolve().parent
    shared_paths = [path.resolve() for path in shared]
    links = tuple(
        (path.relative_to(directory).as_posix(), str(path)) for path in shared_paths if path.is_relative_to(directory)
    )
    skipped = {directory / inside for inside, _ in links}
    buffer = io.BytesIO()
    total = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for root, directories, files in os.walk(directory):
            here = Path(root)
            directories[:] = sorted(
                name
                for name in directories
                if not _skipped(name) and here / name not in skipped and not (here / name / "pyvenv.cfg").exists()
            )
            for name in sorted(files):
                file = here / name
                if _skipped(name) or file in skipped or not file.is_file():
                    continue
                total += file.stat().st_size
                if total > UPLOAD_LIMIT_BYTES:
                    raise ConfigurationError(
                        f"the project directory {directory} holds more than {UPLOAD_LIMIT_BYTES // 2**20} MiB to "
                        "send to the Dask workers: keep large data out of it (in the embedded S3's directory, "
                        "which is shared by path), or put the project at the same path on every worker and set "
                        "upload = false in [executor]"
                    )
                info = zipfile.ZipInfo(file.relative_to(directory).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = (file.stat().st_mode & 0o777) << 16
                archive.writestr(info, file.read_bytes())
    data = buffer.getvalue()
    digest = hashlib.sha256(data)
    for inside, target in links:
        digest.update(f"\0{inside}\0{target}".encode())
    return ProjectUpload(str(directory), digest.hexdigest(), data, links)


def _skipped(name: str) -> bool:
    return name.startswith(".") or name in _SKIPPED_DIRECTORIES


# -- on the worker ------------------------------------------------------------------------------------------

_INSTALLED: dict[str, str] = {}
"""This process's copies: the driver's project directory -> where its copy was unpacked."""
_lock = threading.Lock()


def install(upload: ProjectUpload, root: str | os.PathLike[str]) -> str:
    """Unpack ``upload`` under ``root`` (once per archive), link its shared data, and remember it;
    returns the copy's directory."""
    target = Path(root) / upload.key[:32]
    with _lock:
        if not target.is_dir():
            Path(root).mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=root))
            try:
                with zipfile.ZipFile(io.BytesIO(upload.archive)) as archive:
                    archive.extractall(staging)
                for inside, shared in upload.links:
                    link = staging / inside
                    link.parent.mkdir(parents=True, exist_ok=True)
                    link.symlink_to(shared, target_is_directory=os.path.isdir(shared))
                staging.rename(target)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                if not target.is_dir():  # else another worker of this machine unpacked it first
                    raise
        _INSTALLED[upload.directory] = str(target)
    return str(target)


def copy_of(config_file: str) -> str | None:
    """Where this worker's copy of ``config_file`` is, if its project was uploaded here."""
    path = Path(config_file)
    with _lock:
        copy = _INSTALLED.get(str(path.parent))
    return None if copy is None else str(Path(copy) / path.name)
