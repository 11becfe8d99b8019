"""ConsumedCapacity in responses, when ReturnConsumedCapacity asks for it.

Units follow the documented rules: a read costs one unit per 4 KB (half for eventually consistent
reads), a write one per 1 KB, transactional operations twice as much; indexes are charged for
the items they hold. DynamoDB's exact rounding on Query and Scan (per page, per item) is not
documented, so those figures are estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


def read_units(size_bytes: int, consistent: bool) -> float:
    units = max(1, math.ceil(size_bytes / 4096))
    return float(units) if consistent else units / 2


def write_units(size_bytes: int) -> float:
    return float(max(1, math.ceil(size_bytes / 1024)))


@dataclass
class Consumption:
    """Units one request consumed in one table and its indexes."""

    table: str
    table_units: float = 0.0
    global_indexes: dict[str, float] = field(default_factory=dict)
    local_indexes: dict[str, float] = field(default_factory=dict)

    def charge_index(self, name: str, units: float, *, global_index: bool) -> None:
        target = self.global_indexes if global_index else self.local_indexes
        target[name] = target.get(name, 0.0) + units

    def report(self, mode: str | None) -> dict[str, Any] | None:
        """The ConsumedCapacity member for ``mode`` (TOTAL or INDEXES), None for NONE/absent."""
        if mode not in ("TOTAL", "INDEXES"):
            return None
        total = self.table_units + sum(self.global_indexes.values()) + sum(self.local_indexes.values())
        report: dict[str, Any] = {"TableName": self.table, "CapacityUnits": total}
        if mode == "INDEXES":
            report["Table"] = {"CapacityUnits": self.table_units}
            if self.local_indexes:
                report["LocalSecondaryIndexes"] = {k: {"CapacityUnits": v} for k, v in self.local_indexes.items()}
            if self.global_indexes:
                report["GlobalSecondaryIndexes"] = {k: {"CapacityUnits": v} for k, v in self.global_indexes.items()}
        return report


def merge(consumptions: list[Consumption]) -> list[Consumption]:
    """One entry per table, in order of first appearance (batch and transaction responses)."""
    merged: dict[str, Consumption] = {}
    for item in consumptions:
        target = merged.setdefault(item.table, Consumption(item.table))
        target.table_units += item.table_units
        for name, units in item.global_indexes.items():
            target.charge_index(name, units, global_index=True)
        for name, units in item.local_indexes.items():
            target.charge_index(name, units, global_index=False)
    return list(merged.values())
