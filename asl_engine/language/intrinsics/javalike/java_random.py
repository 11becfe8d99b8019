"""``java.util.Random``: the generator behind a seeded ``States.MathRandom``.

Every seeded value recorded on AWS equals ``new java.util.Random(seed).nextInt(end - start) +
start`` (e.g. ``(1, 100, 42) -> 63``, ``(1, 1000, 1) -> 106``, ``(1, 10, -10) -> 1``), so the
48-bit linear congruential generator is reproduced bit for bit.
"""

from __future__ import annotations

from typing import Final

_MULTIPLIER: Final = 0x5DEECE66D
_ADDEND: Final = 0xB
_MASK: Final = (1 << 48) - 1


class JavaRandom:
    __slots__ = ("_seed",)

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ _MULTIPLIER) & _MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * _MULTIPLIER + _ADDEND) & _MASK
        return self._seed >> (48 - bits)

    def next_int(self, bound: int) -> int:
        """``nextInt(bound)`` for ``bound > 0``: uniform in ``[0, bound)``."""
        if bound <= 0:
            raise ValueError("bound must be positive")
        value = self._next(31)
        limit = bound - 1
        if bound & limit == 0:  # a power of two: take the high bits
            return (bound * value) >> 31
        candidate = value
        while True:
            value = candidate % bound
            if candidate - value + limit < 1 << 31:
                return value
            candidate = self._next(31)
