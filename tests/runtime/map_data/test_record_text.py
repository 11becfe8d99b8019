"""The ResultWriter's fast text of a succeeded child's record is the general path's, byte for byte."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.runtime.map_data.writer import (
    SUCCEEDED,
    ChildOutcome,
    _encode,
    execution_record,
    succeeded_record_text,
)
from asl_engine.runtime.map_run.records import ChildRecord

texts = st.text(max_size=40)  # any characters: quotes, backslashes, control characters, non-ASCII
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
times = st.floats(min_value=0, max_value=4e9, allow_nan=False)


def _record(
    name: str, arn: str, machine: str, input_text: str | None, output_text: str | None, start: float, stop: float | None
) -> ChildRecord:
    """A succeeded child's record of a Map Run whose children's ARNs start with ``arn``."""
    map_run: Any = SimpleNamespace(child_arn_prefix=arn, child_machine_arn=machine)
    record = ChildRecord(map_run, (3, SUCCEEDED, input_text, output_text, None, None, start, stop, None, ()))
    record._name = name
    return record


@settings(max_examples=300, deadline=None)
@given(
    name=texts,
    arn=texts,
    machine=texts,
    value=json_values,
    output=json_values,
    texts_known=st.booleans(),
    start=times,
    stop=st.none() | times,
)
def test_the_succeeded_record_text_is_the_encoded_record(
    name: str, arn: str, machine: str, value: Any, output: Any, texts_known: bool, start: float, stop: float | None
) -> None:
    run = _record(
        name,
        arn,
        machine,
        _encode(value) if texts_known else None,
        _encode(output) if texts_known else None,
        start,
        stop,
    )
    assert run.execution_arn == arn + name
    outcome = ChildOutcome(3, value, SUCCEEDED, output, run)
    expected = _encode(execution_record(outcome))
    assert succeeded_record_text(outcome, run) == expected
    assert '"Status":"SUCCEEDED"' in expected
