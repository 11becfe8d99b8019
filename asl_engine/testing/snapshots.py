"""History snapshots: an execution's history written once beside the test, compared on every later run.

What changes from run to run without the machine's behaviour changing is normalised away, so a
snapshot only fails when the execution really did something else:

* timestamps become the time elapsed since the execution started (``"+5s"``), exact under a
  virtual clock;
* UUIDs (execution names and ARNs, map runs, ``States.UUID()``) become ``<uuid:1>``, ``<uuid:2>``...
  numbered in order of appearance, so equal ids stay visibly equal;
* task tokens become ``<task-token:1>``...;
* ISO-8601 times that fall within the execution (``$$.Execution.StartTime``, ``$$.State.EnteredTime``,
  ``$now()``) become ``<time +5s>``; times outside it are data and stay as they are.

Payloads are stored as JSON values, not as the JSON text GetExecutionHistory returns, so diffs are readable.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asl_engine.runtime.history import details_member

if TYPE_CHECKING:
    from asl_engine.execution import Execution

SNAPSHOT_DIRECTORY = "__asl_snapshots__"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TOKEN = re.compile(r"[A-Za-z0-9+/]{88}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_MAX_DIFF_LINES = 60


def _seconds(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return f"+{text}s" if value >= 0 else f"{text}s"


class _Normaliser:
    def __init__(self, start: float, stop: float) -> None:
        self.start = start
        self.stop = stop
        self.uuids: dict[str, str] = {}
        self.tokens: dict[str, str] = {}

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value

    def text(self, text: str) -> str:
        if _TOKEN.fullmatch(text):
            return self.tokens.setdefault(text, f"<task-token:{len(self.tokens) + 1}>")
        text = _UUID.sub(lambda m: self.uuids.setdefault(m.group().lower(), f"<uuid:{len(self.uuids) + 1}>"), text)
        return _TIME.sub(self._time, text)

    def _time(self, match: re.Match[str]) -> str:
        try:
            moment = datetime.fromisoformat(match.group().replace("Z", "+00:00")).timestamp()
        except ValueError:
            return match.group()
        if self.start - 0.001 <= moment <= self.stop + 0.001:
            return f"<time {_seconds(moment - self.start)}>"
        return match.group()


def normalised_history(execution: Execution) -> dict[str, Any]:
    """The snapshot document of an execution: its outcome and its normalised events."""
    events = execution.events
    start = events[0].timestamp if events else execution.start_date.timestamp()
    stop = max([start, *(event.timestamp for event in events)])
    normaliser = _Normaliser(start, stop)
    outcome: dict[str, Any] = {"status": execution.status}
    if execution.status == "SUCCEEDED":
        outcome["output"] = normaliser.value(execution.output)
    for key in ("error", "cause"):
        if getattr(execution, key) is not None:
            outcome[key] = normaliser.text(getattr(execution, key))
    listed = []
    for event in events:
        entry: dict[str, Any] = {
            "id": event.id,
            "previousEventId": event.previous_event_id,
            "timestamp": _seconds(event.timestamp - start),
            "type": event.type,
        }
        if event.details is not None:
            entry[details_member(event.type)] = normaliser.value(event.details)
        listed.append(entry)
    return {"execution": outcome, "events": listed}


def dumps(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


@dataclass
class SnapshotSession:
    """What the session did with snapshots, for the terminal summary."""

    update: bool = False
    written: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)


class Snapshot:
    """The ``asl_snapshot`` fixture: compares executions with snapshots beside the test file."""

    def __init__(self, test_file: Path, test_name: str, session: SnapshotSession) -> None:
        self.directory = test_file.parent / SNAPSHOT_DIRECTORY / test_file.stem
        self.test_name = _UNSAFE.sub("_", test_name).strip("_") or "test"
        self.session = session
        self._count = 0

    def path_for(self, name: str | None = None) -> Path:
        if name is not None:
            return self.directory / f"{self.test_name}-{_UNSAFE.sub('_', name)}.json"
        self._count += 1
        suffix = "" if self._count == 1 else f"-{self._count}"
        return self.directory / f"{self.test_name}{suffix}.json"

    def assert_match(self, execution: Execution, name: str | None = None) -> None:
        """The execution's normalised history equals the stored snapshot (written on the first run)."""
        __tracebackhide__ = True
        path = self.path_for(name)
        actual = dumps(normalised_history(execution))
        if not path.exists():
            self._write(path, actual)
            self.session.written.append(path)
            return
        expected = path.read_text(encoding="utf-8")
        if expected == actual:
            return
        if self.session.update:
            self._write(path, actual)
            self.session.updated.append(path)
            return
        diff = list(
            difflib.unified_diff(expected.splitlines(), actual.splitlines(), "snapshot", "this run", lineterm="", n=2)
        )
        shown = diff[:_MAX_DIFF_LINES]
        if len(diff) > _MAX_DIFF_LINES:
            shown.append(f"… {len(diff) - _MAX_DIFF_LINES} more diff lines")
        raise AssertionError(
            f"the execution's history differs from the snapshot {path}\n"
            + "\n".join(shown)
            + "\nIf the new history is right, accept it: pytest --asl-snapshot-update (or ASL_SNAPSHOT_UPDATE=1)"
        )

    @staticmethod
    def _write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
