"""Fixtures of the console's tests: a real ``asl serve`` app (Starlette on uvicorn, on a free loopback
port) with the console's routes, its executions, and a real headless Chromium driven by Playwright.

Screenshots go to ``$ASL_CONSOLE_ARTIFACTS`` when set (CI keeps that directory), else to
``console-artifacts/`` under pytest's base temporary directory; the path is printed at the end of
the run. Chromium is Debian's ``chromium`` (``/usr/bin/chromium``, or ``$ASL_CHROMIUM``): without it
the browser tests skip locally, and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from asl_engine.console.threaded import ConsoleThread
from asl_engine.server import ServerSettings
from asl_engine.services import Resources

ARTIFACTS_VARIABLE = "ASL_CONSOLE_ARTIFACTS"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("ASL_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class ConsoleServer(ConsoleThread):
    """The API and the console on one uvicorn server, with a boto3 client for it."""

    def __init__(self, *, allow_actions: bool, resources: Resources | None = None) -> None:
        super().__init__(ServerSettings(port=0, clock="virtual", allow_actions=allow_actions), resources=resources)

    def start(self) -> ConsoleServer:
        super().start()
        return self

    def client(self) -> Any:
        boto3 = pytest.importorskip("boto3")
        return boto3.client(
            "stepfunctions",
            endpoint_url=self.url,
            region_name=self.settings.region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get(ARTIFACTS_VARIABLE)
    where = Path(configured) if configured else tmp_path_factory.getbasetemp() / "console-artifacts"
    where.mkdir(parents=True, exist_ok=True)
    return where


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium (Debian's), driven by Playwright; skipped locally when absent.

    Module-scoped: Playwright's synchronous API runs an event loop on this thread while it is open,
    and the tests after these call ``asyncio.run``."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chromium is not installed: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium); the browser tests need it")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()
