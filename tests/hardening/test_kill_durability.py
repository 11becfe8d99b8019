"""A SIGKILL at any moment leaves what the embedded services store in its old state or its new one.

Each trial starts a child process that writes in a loop (an S3 object rewritten between two bodies;
a DynamoDB table seeded from scratch), kills it at a moment drawn from a seeded random source, and
checks what is on disk. The default run is short, for CI; set ``ASL_KILL_TRIALS`` (e.g. 200) for a
longer one. The outcome asserted never depends on when the kill lands.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from asl_engine.services.dynamodb import DynamoDBService, TableSpec
from asl_engine.services.s3 import S3Service

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

TRIALS = int(os.environ.get("ASL_KILL_TRIALS", "3"))
ROOT = Path(__file__).resolve().parents[2]


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"  # the child is past its imports and writing
    return child


def _kill(child: subprocess.Popen[str], delay: float) -> None:
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, "the child ended before the kill: the trial proved nothing"


S3_WRITER = """
    import sys
    from asl_engine.services.s3 import S3Service
    s3 = S3Service(sys.argv[1])
    bodies = [b"a" * 2_000_000, b"b" * 3_000_000]
    s3.put_object("checkpoints", "state.json", bodies[0])
    print("ready", flush=True)
    turn = 1
    while True:
        s3.put_object("checkpoints", "state.json", bodies[turn])
        turn = 1 - turn
"""


def test_killing_an_s3_overwrite_leaves_the_old_or_the_new_object(tmp_path: Path) -> None:
    rng = random.Random(21)
    bodies = {b"a" * 2_000_000, b"b" * 3_000_000}
    for trial in range(TRIALS):
        directory = tmp_path / f"s3-{trial}"
        child = _start(S3_WRITER, str(directory))
        _kill(child, rng.uniform(0.0, 0.15))
        s3 = S3Service(directory)
        assert s3.get_object("checkpoints", "state.json").body in bodies
        assert [o.key for o in s3.list_objects_v2("checkpoints").objects] == ["state.json"]
        assert s3.bucket_names() == ["checkpoints"]


SEEDER = """
    import sys
    from asl_engine.services.dynamodb import DynamoDBService, TableSpec
    items = [{"pk": f"p{i % 50}", "sk": i, "body": "x" * 40} for i in range(int(sys.argv[2]))]
    service = DynamoDBService(sys.argv[1])
    print("ready", flush=True)
    service.create_table(TableSpec("Orders", ("pk", "S"), ("sk", "N")), items)
    print("seeded", flush=True)
    import time
    time.sleep(60)
"""
SEED_ITEMS = 3_000
SPEC = TableSpec("Orders", ("pk", "S"), ("sk", "N"))


def _seeds() -> list[dict[str, object]]:
    return [{"pk": f"p{i % 50}", "sk": i, "body": "x" * 40} for i in range(SEED_ITEMS)]


def _count(service: DynamoDBService) -> int | None:
    if "Orders" not in service.table_names():
        return None
    count, request = 0, {"TableName": "Orders", "Select": "COUNT"}
    while True:  # a Scan reads at most 1 MB a page
        page = service.call("Scan", request)
        count += int(page["Count"])
        if "LastEvaluatedKey" not in page:
            return count
        request = {**request, "ExclusiveStartKey": page["LastEvaluatedKey"]}


def test_killing_a_dynamodb_seed_leaves_no_table_or_the_whole_table(tmp_path: Path) -> None:
    rng = random.Random(14)
    for trial in range(TRIALS):
        path = tmp_path / f"seed-{trial}.sqlite3"
        child = _start(SEEDER, str(path), str(SEED_ITEMS))
        _kill(child, rng.uniform(0.0, 0.4))
        with DynamoDBService(path) as service:
            assert _count(service) in (None, SEED_ITEMS)
            service.create_table(SPEC, _seeds())  # the next run declares the table again
            assert _count(service) == SEED_ITEMS


def test_a_table_left_by_an_older_partial_seed_is_seeded_again(tmp_path: Path) -> None:
    """Versions before 0.x wrote one transaction per seed item and stored no digest: a kill left a
    partial table that later runs kept. Such a table (no digest) is now recognised and re-seeded."""
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with DynamoDBService(path) as service:
        service.create_table(SPEC, _seeds()[:1000])
    with sqlite3.connect(path) as connection:  # what the older version left: no seed recorded
        connection.execute("UPDATE ddb_tables SET seed_digest = NULL")
    with DynamoDBService(path) as service:
        service.create_table(SPEC, _seeds())
        assert _count(service) == SEED_ITEMS
        service.call("PutItem", {"TableName": "Orders", "Item": {"pk": {"S": "run"}, "sk": {"N": "-1"}}})
    with DynamoDBService(path) as service:
        service.create_table(SPEC, _seeds())  # the same declaration: what the run wrote survives
        assert _count(service) == SEED_ITEMS + 1
