"""Pass-rate floors: CI fails when a category's rate, or a history check's, drops below its floor.

``conformance/floor.json`` maps each run category and each history check (``states_entered``,
``history_event_types``) to a percentage, e.g. ``{"self_contained": 60.0, "mocked": 0.0,
"history_event_types": 100.0}``. Floors only go up: raise one when the engine improves, never lower
one to make a regression pass. A rate is compared as printed (rounded to one decimal), so a floor
copied from a report line is met by that same run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from asl_engine.conformance.classify import RUN_CATEGORIES
from asl_engine.conformance.metrics import METRICS

FLOORED = (*RUN_CATEGORIES, *METRICS)
"""What a floor may name: the run categories and the history checks."""


class FloorFileError(ValueError):
    """The floor file is missing or malformed; the message says where and how to fix it."""


@dataclass(frozen=True, slots=True)
class FloorCheck:
    name: str
    """A run category or a history check."""
    rate: float | None
    floor: float

    @property
    def met(self) -> bool:
        """A category (or check) with no case run has no rate and cannot fall below its floor."""
        return self.rate is None or round(self.rate, 1) >= self.floor


def load_floors(path: Path) -> dict[str, float]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FloorFileError(f"{path}: cannot read the floor file ({error.strerror or error})") from error
    except json.JSONDecodeError as error:
        raise FloorFileError(f"{path}: not JSON (line {error.lineno}, column {error.colno}: {error.msg})") from error
    return parse_floors(data, str(path))


def parse_floors(data: object, where: str = "floor file") -> dict[str, float]:
    if not isinstance(data, dict):
        raise FloorFileError(
            f'{where}: expected an object mapping categories to percentages, e.g. {{"self_contained": 60.0}}'
        )
    floors: dict[str, float] = {}
    for category, value in data.items():
        if category not in FLOORED:
            raise FloorFileError(f"{where}: /{category}: unknown category; use one of {', '.join(FLOORED)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise FloorFileError(f"{where}: /{category}: expected a percentage from 0 to 100, got {value!r}")
        floors[category] = float(value)
    return floors
