"""The result of one case, as reports and the JSON file show it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asl_engine.conformance.metrics import MetricResult

PASSED = "passed"
FAILED = "failed"
SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class CaseResult:
    """``reason`` is the one-line explanation of a failure or skip; ``problems`` lists every difference."""

    case_id: str
    path: Path
    category: str
    outcome: str
    reason: str | None = None
    problems: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    metrics: dict[str, MetricResult] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.outcome == PASSED

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.case_id,
            "path": str(self.path),
            "category": self.category,
            "outcome": self.outcome,
            "seconds": round(self.seconds, 6),
        }
        if self.reason is not None:
            data["reason"] = self.reason
        if self.problems:
            data["problems"] = list(self.problems)
        if self.features:
            data["features"] = list(self.features)
        if self.metrics:
            data["metrics"] = {
                name: {"passed": metric.passed, **({"detail": metric.detail} if metric.detail else {})}
                for name, metric in self.metrics.items()
            }
        return data
