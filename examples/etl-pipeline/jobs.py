"""The Glue job of the ETL example: a Python callable receiving the run's arguments.

It reads the day's orders (a CSV file, path relative to this directory), checks every row, and
writes per-customer totals as JSON to ``--output-dir`` (a temporary directory when empty).
A malformed row raises, which fails the job run and, under ``.sync``, the Task.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

HERE = Path(__file__).parent


def run_etl(arguments: dict[str, str]) -> None:
    source = HERE / arguments["--source"]
    totals: dict[str, Decimal] = defaultdict(Decimal)
    with source.open(newline="", encoding="utf-8") as rows:
        for line, row in enumerate(csv.DictReader(rows), start=2):
            try:
                totals[row["customer"]] += Decimal(row["amount"])
            except InvalidOperation:
                raise ValueError(f"{source.name} line {line}: amount {row['amount']!r} is not a number") from None
    output_dir = Path(arguments["--output-dir"] or Path(tempfile.gettempdir()) / "asl-etl-example")
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"customer-totals-{arguments['--run-date']}.json"
    target.write_text(json.dumps({customer: str(total) for customer, total in sorted(totals.items())}, indent=2))
