"""Small, picklable facts about child executions: names, seeds, random sources, packed histories.

Kept apart from ``child.py`` (which runs children) so that the Map Run's records can use them
without importing the run machinery.
"""

from __future__ import annotations

import hashlib
import pickle
import random
from typing import Any

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def child_seed(map_seed: int, index: int) -> int:
    """The random seed of the child at ``index`` (well spread: neighbours share no state)."""
    return (map_seed + (index + 1) * _GOLDEN) & _MASK


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
"""A hex digit with its two top bits set to the RFC 4122 variant (``10``), as a version-4 UUID has it."""


def child_name(seed: int) -> str:
    """The child's execution name: a version-4 UUID derived from its seed (the digest's version
    nibble and variant bits set, as ``uuid.UUID(bytes=..., version=4)`` would), written from the
    digest's hex text: every child is named, and the integer round trip cost a third more."""
    text = hashlib.blake2b(seed.to_bytes(8, "little"), digest_size=16).hexdigest()
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{_VARIANT[text[16]]}{text[17:20]}-{text[20:]}"


class ChildRandom(random.Random):
    """A child execution's random source: SplitMix64 from the child's seed.

    Seeding Python's Mersenne Twister costs more than a whole trivial child execution; a child
    needs a few draws (its task tokens, request ids, jitter), independent of every other child's.
    """

    _state: int

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)

    def seed(self, a: Any = None, version: int = 2) -> None:
        self._state = (hash(a) if not isinstance(a, int) else a) & _MASK
        self.gauss_next = None

    def _next(self) -> int:
        self._state = state = (self._state + _GOLDEN) & _MASK
        state = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        state = ((state ^ (state >> 27)) * 0x94D049BB133111EB) & _MASK
        return state ^ (state >> 31)

    def getrandbits(self, k: int) -> int:
        if k == 128:  # a request id, a log stream, a task token: two draws (``_next`` twice, inline)
            first = (self._state + _GOLDEN) & _MASK
            self._state = second = (first + _GOLDEN) & _MASK
            first = ((first ^ (first >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
            first = ((first ^ (first >> 27)) * 0x94D049BB133111EB) & _MASK
            second = ((second ^ (second >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
            second = ((second ^ (second >> 27)) * 0x94D049BB133111EB) & _MASK
            return ((first ^ (first >> 31)) << 64) | second ^ (second >> 31)
        if k < 0:
            raise ValueError("number of bits must be non-negative")
        bits, value = 0, 0
        while bits < k:
            value = (value << 64) | self._next()
            bits += 64
        return value >> (bits - k)

    def random(self) -> float:
        return (self._next() >> 11) * (1.0 / 9007199254740992.0)

    def getstate(self) -> tuple[Any, ...]:
        return (self._state, self.gauss_next)

    def setstate(self, state: tuple[Any, ...]) -> None:
        self._state, self.gauss_next = state


def child_random(seed: int) -> random.Random:
    return ChildRandom(seed)


def pack_history(rows: list[Any]) -> bytes:
    """A finished history's rows as one bytes object, for the trip back to the driver and for keeping
    there (one object the garbage collector never scans, instead of a list of dicts). Not compressed:
    zlib's set-up costs more than pickling a child's few events."""
    return pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)


def unpack_history(packed: bytes) -> list[Any]:
    rows: list[Any] = pickle.loads(packed)
    return rows
