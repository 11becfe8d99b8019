"""What a new ``History`` decides once: whether the state loop may append to its rows itself
(``state_rows``), whether states' texts are needed (``wants_text``), and that a history nobody listens
to holds the shared empty tuple, not a list of its own."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine.runtime.durable.history import RecordedHistory
from asl_engine.runtime.history import History


@pytest.mark.parametrize(("record", "listened"), [(True, False), (True, True), (False, False), (False, True)])
def test_a_history_decides_its_paths_from_recording_and_listeners(record: bool, listened: bool) -> None:
    heard: list[Any] = []
    listeners = [heard.append] if listened else None
    history = History(record, listeners, 25_000)
    assert history.wants_text is (record or listened)
    assert history.state_rows is (history.rows() if record and not listened else None)
    assert history.listeners == (listeners or ())
    history.add("ExecutionStarted", 0, 1.0, {"input": {}})
    assert len(heard) == listened and history.last_id == 1 and len(history) == record


def test_an_empty_list_of_listeners_is_no_listener() -> None:
    history = History(True, [], None)
    assert history.listeners == () and history.state_rows is history.rows()


def test_a_subclass_with_its_own_add_gets_no_rows_to_append_to() -> None:
    """``RecordedHistory`` routes every event through its recorder: the state loop must call it."""
    assert RecordedHistory._routes_rows and not History._routes_rows
    recorded = RecordedHistory.__new__(RecordedHistory)
    History.__init__(recorded, True, None, None)
    assert recorded.state_rows is None and not recorded._own_rows

    class Plain(History):
        __slots__ = ()

    assert Plain().state_rows is not None and Plain()._own_rows
