"""Loading a definition this process already loaded (issue 20): the compiled form is shared.

No timing here (``benchmarks/repeat_load.py`` measures it): the facts that make sharing correct.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from asl_engine import StateMachine, ValidationError
from asl_engine.runtime.loading import LOAD_CACHE, LoadCache

DEFINITION = json.dumps(
    {
        "StartAt": "Add",
        "States": {
            "Add": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"}, "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
)


def test_the_same_text_and_options_share_one_compiled_machine() -> None:
    first = StateMachine.from_json(DEFINITION, name="First")
    second = StateMachine.from_json(DEFINITION, name="Second")
    assert second.compiled is first.compiled
    assert (first.name, second.name) == ("First", "Second")
    assert second.execute({"a": 1, "b": 2}).output == {"sum": 3}


def test_options_that_change_the_machine_are_part_of_the_key() -> None:
    standard = StateMachine.from_json(DEFINITION)
    express = StateMachine.from_json(DEFINITION, machine_type="EXPRESS")
    assert express.compiled is not standard.compiled
    assert (standard.type, express.type) == ("STANDARD", "EXPRESS")
    text = DEFINITION.replace('"Done"}', '"${next}"}')
    done = StateMachine.from_json(text, substitutions={"next": "Done"})
    assert StateMachine.from_json(text, substitutions={"next": "Done"}).compiled is done.compiled
    with pytest.raises(ValidationError):
        StateMachine.from_json(text, substitutions={"next": "Elsewhere"})


def test_an_invalid_definition_is_reported_on_every_load() -> None:
    broken = DEFINITION.replace('"Next": "Done"', '"Next": "Nowhere"')
    for _ in range(2):
        with pytest.raises(ValidationError, match="Nowhere"):
            StateMachine.from_json(broken)


def test_files_with_the_same_text_share_it_and_keep_their_own_source(tmp_path: Path) -> None:
    one, two = tmp_path / "one.asl.json", tmp_path / "two.asl.json"
    one.write_text(DEFINITION)
    two.write_text(DEFINITION)
    first, second = StateMachine.from_file(one), StateMachine.from_file(two)
    assert second.compiled is first.compiled
    assert (first.source, second.source) == (str(one), str(two))
    one.write_text(DEFINITION.replace("MathAdd", "MathAdd").replace('"Succeed"', '"Pass", "End": true'))
    assert StateMachine.from_file(one).compiled is not first.compiled


def test_a_machine_is_immutable() -> None:
    machine = StateMachine.from_json(DEFINITION)
    with pytest.raises(AttributeError):
        machine.name = "Other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        machine.extra = 1  # type: ignore[attr-defined]


def test_threads_share_a_cached_machine() -> None:
    machine = StateMachine.from_json(DEFINITION)
    outputs: list[object] = []

    def run(offset: int) -> None:
        for value in range(50):
            loaded = StateMachine.from_json(DEFINITION)
            outputs.append((offset, value, loaded.execute({"a": offset, "b": value}, seed=value).output))

    threads = [threading.Thread(target=run, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outputs) == sorted((o, v, {"sum": o + v}) for o in range(4) for v in range(50))  # type: ignore[type-var]
    assert StateMachine.from_json(DEFINITION).compiled is machine.compiled


def test_the_cache_keeps_the_most_recently_used_entries() -> None:
    cache = LoadCache(capacity=2)
    compiled = [
        StateMachine.from_json(DEFINITION).compiled,
        StateMachine.from_json(DEFINITION, machine_type="EXPRESS").compiled,
    ]
    cache.put(("a",), compiled[0])
    cache.put(("b",), compiled[1])
    assert cache.get(("a",)) is compiled[0]  # "a" is now the most recent
    cache.put(("c",), compiled[1])
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is compiled[0]
    assert len(cache) == 2
    assert LoadCache.key("{}", "STANDARD", {"x": ["unhashable"]}) is None
    assert cache.get(None) is None
    assert len(LOAD_CACHE) <= LOAD_CACHE.capacity
