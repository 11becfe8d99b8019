"""``exceeds_payload_limit``'s quick path (the prebuilt encoder's text) against the measure it skips.

The measure: the ASCII-escaped compact text settles it when within the quota, else the UTF-8 size of
the compact text. The quick path must give the same answer for every JSON value, and the same errors
for what is not JSON.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.runtime.limits import PAYLOAD_LIMIT_BYTES, exceeds_payload_limit, payload_size


def _measured(value: Any) -> bool:
    if len(json.dumps(value, separators=(",", ":"))) <= PAYLOAD_LIMIT_BYTES:
        return False
    return payload_size(value) > PAYLOAD_LIMIT_BYTES


_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=20)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | _TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_TEXT, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_JSON, st.sampled_from([0, 1, 65_530, 65_536, 70_000, 87_000, 262_140, 262_200]), st.sampled_from("xé😀"))
def test_the_quick_path_answers_as_the_measure(value: Any, padding: int, character: str) -> None:
    document = {"value": value, "padding": character * padding}
    assert exceeds_payload_limit(document) == _measured(document)
    assert exceeds_payload_limit([document]) == _measured([document])


def test_values_that_are_not_json_raise_as_before() -> None:
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        exceeds_payload_limit({"a": {1, 2}})
    cyclic: dict[str, Any] = {}
    cyclic["self"] = cyclic
    with pytest.raises(ValueError, match="Circular reference detected"):
        exceeds_payload_limit(cyclic)
