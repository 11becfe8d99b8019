"""How long declaring a DynamoDB table with many seed items takes, in memory and in a SQLite file.

    python benchmarks/dynamodb_seed.py [--items 200000]

Seeding is one transaction (a kill leaves the old table or the new one); the target is that a
SQLite seed costs at most a few times the in-memory one (the same checks, plus one commit), printed
as a ratio with the times.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asl_engine.services.dynamodb import DynamoDBService, TableSpec

TARGET_RATIO = 3.0
"""SQLite seeding at most this many times the in-memory seeding."""


def seed_items(count: int) -> list[dict[str, object]]:
    return [
        {"pk": f"customer-{i % 1000}", "sk": f"order-{i:08d}", "total": i % 997, "status": "NEW"} for i in range(count)
    ]


def timed(path: Path | None, items: list[dict[str, object]]) -> float:
    spec = TableSpec("Orders", ("pk", "S"), ("sk", "S"))
    started = time.perf_counter()
    with DynamoDBService(path) as service:
        service.create_table(spec, items)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=200_000)
    count = parser.parse_args().items
    items = seed_items(count)
    memory = timed(None, items)
    with tempfile.TemporaryDirectory() as work:
        sqlite = timed(Path(work) / "data.sqlite3", items)
    ratio = sqlite / memory
    print(f"seed {count:,} items: memory {memory:.2f} s, SQLite {sqlite:.2f} s", end=" ")
    print(f"(ratio {ratio:.2f}, target <= {TARGET_RATIO})")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
