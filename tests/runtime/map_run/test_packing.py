"""A child's name and random source: the fast forms give what the general ones give."""

from __future__ import annotations

import hashlib
import uuid

from hypothesis import given
from hypothesis import strategies as st

from asl_engine.runtime.map_run.packing import ChildRandom, child_name

seeds = st.integers(min_value=0, max_value=(1 << 64) - 1)


@given(seeds)
def test_a_child_name_is_the_version_4_uuid_of_its_seeds_digest(seed: int) -> None:
    digest = hashlib.blake2b(seed.to_bytes(8, "little"), digest_size=16).digest()
    assert child_name(seed) == str(uuid.UUID(bytes=digest, version=4))


@given(seeds, st.lists(st.sampled_from([1, 32, 64, 100, 128, 129, 256]), max_size=6))
def test_128_random_bits_are_two_64_bit_draws_in_order(seed: int, before: list[int]) -> None:
    fast, general = ChildRandom(seed), ChildRandom(seed)
    for bits in before:  # wherever in the sequence the draw comes
        assert fast.getrandbits(bits) == general.getrandbits(bits)
    high, low = general.getrandbits(64), general.getrandbits(64)
    assert fast.getrandbits(128) == (high << 64) | low
    assert fast.random() == general.random()
