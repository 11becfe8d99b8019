"""The project archive sent to an existing Dask cluster: what it holds, how a worker unpacks it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from asl_engine.errors import ConfigurationError
from asl_engine.executors import upload


def _project(root: Path) -> Path:
    project = root / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "asl.toml").write_text('[lambda]\nWork = "handlers:work"\n[s3]\npath = "s3"\n')
    (project / "handlers.py").write_text("def work(event, context):\n    return event\n")
    (project / "pkg" / "__init__.py").write_text("")
    (project / "seeds.json").write_text("[]")
    for skipped in (".git", "__pycache__", "venv", "s3/results"):
        (project / skipped).mkdir(parents=True)
        (project / skipped / "file.txt").write_text("not sent")
    (project / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (project / ".env").write_text("SECRET=1\n")
    return project


def test_the_archive_holds_the_project_without_its_data_hidden_files_and_environments(tmp_path: Path) -> None:
    project = _project(tmp_path)
    sent = upload.project_upload(project / "asl.toml", [project / "s3"])
    names = sorted(zipfile.ZipFile(io.BytesIO(sent.archive)).namelist())
    assert names == ["asl.toml", "handlers.py", "pkg/__init__.py", "seeds.json"]
    assert sent.directory == str(project.resolve())
    assert sent.links == (("s3", str((project / "s3").resolve())),)
    # the same project gives the same key (a worker unpacks it once); a change gives another
    assert upload.project_upload(project / "asl.toml", [project / "s3"]).key == sent.key
    (project / "handlers.py").write_text("def work(event, context):\n    return 1\n")
    assert upload.project_upload(project / "asl.toml", [project / "s3"]).key != sent.key


def test_a_worker_unpacks_it_once_and_links_the_shared_data(tmp_path: Path) -> None:
    project = _project(tmp_path)
    sent = upload.project_upload(project / "asl.toml", [project / "s3"])
    copy = Path(upload.install(sent, tmp_path / "worker"))
    assert (copy / "handlers.py").read_text() == (project / "handlers.py").read_text()
    assert (copy / "s3").is_symlink() and (copy / "s3").resolve() == (project / "s3").resolve()
    assert upload.copy_of(str(project.resolve() / "asl.toml")) == str(copy / "asl.toml")
    (copy / "marker").write_text("kept")
    assert upload.install(sent, tmp_path / "worker") == str(copy)  # not unpacked again
    assert (copy / "marker").exists()
    assert upload.copy_of(str(tmp_path / "elsewhere" / "asl.toml")) is None


def test_a_project_too_large_to_send_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path)
    monkeypatch.setattr(upload, "UPLOAD_LIMIT_BYTES", 10)
    with pytest.raises(ConfigurationError, match=r"more than 0 MiB .* upload = false in \[executor\]"):
        upload.project_upload(project / "asl.toml", [project / "s3"])
