"""The names of executions started without a name.

Without a seed, an execution is named from the process's series (``asl_engine.machine.fresh_name``):
version 4 UUID texts, never the same twice in a process, and a forked child draws a series of its
own. With a seed the name (and an Express execution's id) is the seeded generator's first UUID, as
it always was: histories and the conformance cases depend on it.
"""

from __future__ import annotations

import os
import random
import uuid

import pytest

from asl_engine import StateMachine
from asl_engine.machine import fresh_name, uuid4_text

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def _is_uuid4_text(name: str) -> bool:
    parsed = uuid.UUID(name)
    return str(parsed) == name and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_unseeded_names_are_distinct_version_4_uuids() -> None:
    machine = StateMachine.from_json(PASS)
    names = [machine.execute({}).name for _ in range(500)]
    names += [fresh_name() for _ in range(500)]
    assert len(set(names)) == 1000
    assert all(_is_uuid4_text(name) for name in names)


def test_an_unseeded_express_execution_has_an_id_of_its_own() -> None:
    machine = StateMachine.from_json(PASS, machine_type="EXPRESS")
    first, second = machine.execute({}), machine.execute({})
    ids = [execution.arn.rsplit(":", 1)[1] for execution in (first, second)]
    assert len({first.name, second.name, *ids}) == 4
    assert all(_is_uuid4_text(text) for text in (first.name, *ids))


def test_seeded_names_are_the_seeded_generators() -> None:
    rng = random.Random(7)
    name, express_id = uuid4_text(rng.getrandbits(128)), uuid4_text(rng.getrandbits(128))
    assert StateMachine.from_json(PASS).execute({}, seed=7).name == name
    express = StateMachine.from_json(PASS, machine_type="EXPRESS").execute({}, seed=7)
    assert express.name == name
    assert express.arn.endswith(f":{name}:{express_id}")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_names_executions_from_a_series_of_its_own() -> None:
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's coverage is not collected
        try:
            os.write(writing, " ".join(fresh_name() for _ in range(3)).encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        in_child = pipe.read().split()
    os.waitpid(child, 0)
    in_parent = [fresh_name() for _ in range(3)]
    assert len(in_child) == 3 and all(_is_uuid4_text(name) for name in in_child)
    assert not set(in_child) & set(in_parent)
    assert in_child[0][:24] != in_parent[0][:24]  # another random part, not only another count


def test_names_count_up_by_one_across_blocks() -> None:
    """The series is handed out in blocks of 256 (``_next_names``): the last 12 hex digits count up by
    one from name to name, across the blocks' boundaries, after the same 24 characters."""
    names = [fresh_name() for _ in range(600)]
    assert len({name[:24] for name in names}) == 1
    counts = [int(name[24:], 16) for name in names]
    assert counts == list(range(counts[0], counts[0] + 600))
    assert all(len(name) == 36 and _is_uuid4_text(name) for name in names)


def test_threads_taking_names_at_once_never_get_the_same_one() -> None:
    import threading

    taken: list[list[str]] = [[] for _ in range(8)]
    start = threading.Barrier(len(taken))

    def take(into: list[str]) -> None:
        start.wait()
        into.extend(fresh_name() for _ in range(3000))

    threads = [threading.Thread(target=take, args=(into,)) for into in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = [name for into in taken for name in into]
    assert len(set(names)) == len(names) == 24_000
