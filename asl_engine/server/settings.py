"""How an ``asl serve`` server runs: where it listens, where it keeps executions, what answers tasks."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from asl_engine.definition.arns import DEFAULT_ACCOUNT, DEFAULT_REGION
from asl_engine.errors import ConfigurationError

CLOCKS = ("real", "virtual")
MOCK_CONFIG_VARIABLE = "SFN_MOCK_CONFIG"
"""Step Functions Local's environment variable naming the MockConfigFile."""
MAX_BODY_BYTES = 1_150_000
"""The largest request body accepted: a 1 MiB definition (AWS's limit), JSON-escaped, with room to spare."""


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """The options of ``asl serve`` (and of ``create_app``/``running`` for tests and other code)."""

    host: str = "127.0.0.1"
    """Loopback by default: the server has no authentication, as Step Functions Local has none."""
    port: int = 8083
    """Step Functions Local's port; 0 picks a free one (``running`` reports which)."""
    store: Path | None = None
    """A durable store (SQLite file): executions survive a restart. In memory when None."""
    resources: Path | None = None
    """An ``asl.toml`` whose handlers answer the Task states that are not mocked."""
    mock_config: Path | None = None
    """Step Functions Local's MockConfigFile (``SFN_MOCK_CONFIG`` when None)."""
    clock: str = "real"
    """``real``: Waits and retry intervals take real time, as on AWS; ``virtual``: they take none."""
    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    allow_actions: bool = False
    """The console's switch: its pages may start, stop and redrive executions and answer tasks
    (read-only when False). The API itself always accepts every operation."""

    def __post_init__(self) -> None:
        if self.clock not in CLOCKS:
            raise ConfigurationError(f"clock must be one of {', '.join(CLOCKS)}, not {self.clock!r}")
        if not 0 <= self.port <= 65535:
            raise ConfigurationError(f"port must be between 0 and 65535, not {self.port}")

    @property
    def mock_config_path(self) -> Path | None:
        """The MockConfigFile in use: ``mock_config``, else the ``SFN_MOCK_CONFIG`` environment variable."""
        if self.mock_config is not None:
            return self.mock_config
        variable = os.environ.get(MOCK_CONFIG_VARIABLE)
        return Path(variable) if variable else None
