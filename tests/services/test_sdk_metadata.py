"""The SDK metadata's ids are what the standard library would make."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from asl_engine.services.sdk_metadata import uuid4_text


@given(st.integers(min_value=0, max_value=(1 << 128) - 1))
def test_uuid4_text_is_the_version_4_uuid_of_the_bits(bits: int) -> None:
    assert uuid4_text(bits) == str(uuid.UUID(int=bits, version=4))
