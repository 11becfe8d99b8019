"""Fixtures for driving the ``asl`` command end to end through click's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from asl_engine.cli import common
from asl_engine.cli.main import cli

Invoke = Callable[..., Result]
Write = Callable[[str, Any], Path]


@pytest.fixture
def invoke() -> Invoke:
    """``invoke("run", "m.json", input="...")``: the real ``asl`` group, stdout and stderr kept apart."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """``write("m.json", {...})``: a file in the test's directory (dicts and lists as JSON, str as is)."""

    def create(name: str, content: Any) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content, indent=2)
        path.write_text(text, encoding="utf-8")
        return path

    return create


@pytest.fixture
def pretend_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every stream counts as a terminal (colours off, so assertions read plain text)."""
    monkeypatch.setattr(common, "is_terminal", lambda stream: True)
    monkeypatch.setenv("NO_COLOR", "1")
