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

texts = st.text(max_size=40)  # any characters: quotes, backslashes, control characters, non-ASCII
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
times = st.floats(min_value=0, max_value=4e9, allow_nan=False)


def _run(**fields: Any) -> Any:
    return SimpleNamespace(error=None, cause=None, **fields)


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
    run = _run(
        name=name,
        execution_arn=arn + name,
        state_machine_arn=machine,
        input_text=_encode(value) if texts_known else None,
        output_text=_encode(output) if texts_known else None,
        start_time=start,
        stop_time=stop,
    )
    outcome = ChildOutcome(3, value, SUCCEEDED, output, run)
    expected = _encode(execution_record(outcome))
    assert succeeded_record_text(outcome, run) == expected
    assert '"Status":"SUCCEEDED"' in expected
