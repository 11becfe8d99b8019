"""``java.util.HashSet`` de-duplication: which values are equal and in what order they come out.

``States.ArrayUnique`` does not keep first-seen order on AWS: ``[true, false, true, false]`` gives
``[false, true]`` and ``[[1, 2], [1, 2], [2, 1]]`` gives ``[[2, 1], [1, 2]]``. Both (and every other
recorded case) follow from putting the Java objects into a ``HashSet`` and reading it back, so
that is what is reproduced: Java ``equals`` (``1`` and ``1.0`` differ, object key order does not
matter), Java ``hashCode``, ``HashMap``'s bucket spreading, resizing and bucket order.

Assumption (not observable in the recorded cases, all of which are small): the set is built with
``new HashSet<>(list)``, which sizes the table from the input length. Buckets that would be
turned into trees (9+ colliding hashes in a table of 64+) keep insertion order here.
"""

from __future__ import annotations

import struct
from collections.abc import Hashable, Sequence
from typing import Any, Final

_INT32_MIN: Final = -(2**31)
_INT32_MAX: Final = 2**31 - 1
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_MASK32: Final = 0xFFFFFFFF
_DEFAULT_CAPACITY: Final = 16
_TREEIFY_THRESHOLD: Final = 8
_MIN_TREEIFY_CAPACITY: Final = 64


def _int32(value: int) -> int:
    value &= _MASK32
    return value - (1 << 32) if value >= 1 << 31 else value


def java_hash(value: Any) -> int:
    """``Objects.hashCode`` of the Java object AWS builds for a JSON value."""
    kind = type(value)
    if value is None:
        return 0
    if kind is bool:
        return 1231 if value else 1237
    if kind is int:
        return _integer_hash(value)
    if kind is float:
        (bits,) = struct.unpack(">q", struct.pack(">d", value))
        return _int32(bits ^ ((bits & 0xFFFFFFFFFFFFFFFF) >> 32))
    if kind is str:
        return _string_hash(value)
    if kind is list:
        result = 1
        for item in value:
            result = _int32(31 * result + java_hash(item))
        return result
    if kind is dict:
        total = 0
        for key, item in value.items():
            total += _string_hash(str(key)) ^ java_hash(item)
        return _int32(total)
    return _int32(hash(value))


def _integer_hash(value: int) -> int:
    if _INT32_MIN <= value <= _INT32_MAX:
        return value  # Integer
    if _INT64_MIN <= value <= _INT64_MAX:
        unsigned = value & 0xFFFFFFFFFFFFFFFF
        return _int32(unsigned ^ (unsigned >> 32))  # Long
    # BigInteger: 31-polynomial over the big-endian 32-bit words of |value|, then the sign.
    magnitude = abs(value)
    words = []
    while magnitude:
        words.append(magnitude & _MASK32)
        magnitude >>= 32
    result = 0
    for word in reversed(words):
        result = _int32(31 * result + word)
    return _int32(result * (1 if value > 0 else -1))


def _string_hash(text: str) -> int:
    result = 0
    for char in text:
        code = ord(char)
        if code > 0xFFFF:  # Java hashes UTF-16 code units: a surrogate pair counts twice.
            code -= 0x10000
            result = (31 * result + (0xD800 + (code >> 10))) & _MASK32
            code = 0xDC00 + (code & 0x3FF)
        result = (31 * result + code) & _MASK32
    return _int32(result)


def java_equality_key(value: Any) -> Hashable:
    """A Python key equal exactly when the Java objects are ``equals``."""
    kind = type(value)
    if kind is list:
        return ("list", tuple(java_equality_key(item) for item in value))
    if kind is dict:
        return ("map", frozenset((key, java_equality_key(item)) for key, item in value.items()))
    if kind is float:
        return ("double", struct.pack(">d", value))
    return (kind.__name__, value)


def _spread(hash_code: int) -> int:
    unsigned = hash_code & _MASK32
    return unsigned ^ (unsigned >> 16)


def _table_size_for(capacity: int) -> int:
    size = 1
    while size < capacity:
        size <<= 1
    return size


def hash_set_order(values: Sequence[Any]) -> list[Any]:
    """The distinct ``values`` in the order ``new HashSet<>(values)`` iterates them."""
    capacity = _table_size_for(max(int(len(values) / 0.75) + 1, _DEFAULT_CAPACITY))
    seen: set[Hashable] = set()
    unique: list[tuple[int, Any]] = []
    bucket_sizes: dict[int, int] = {}
    for value in values:
        key = java_equality_key(value)
        if key in seen:
            continue
        seen.add(key)
        spread = _spread(java_hash(value))
        unique.append((spread, value))
        bucket = spread & (capacity - 1)
        bucket_sizes[bucket] = bucket_sizes.get(bucket, 0) + 1
        if bucket_sizes[bucket] > _TREEIFY_THRESHOLD and capacity < _MIN_TREEIFY_CAPACITY:
            capacity, bucket_sizes = _resize(unique, capacity)
        if len(unique) > capacity * 0.75:
            capacity, bucket_sizes = _resize(unique, capacity)
    # A resize keeps the relative order inside each bucket, so the final order is insertion
    # order within buckets, buckets in index order.
    mask = capacity - 1
    ordered = sorted(range(len(unique)), key=lambda index: unique[index][0] & mask)
    return [unique[index][1] for index in ordered]


def _resize(unique: list[tuple[int, Any]], capacity: int) -> tuple[int, dict[int, int]]:
    capacity <<= 1
    sizes: dict[int, int] = {}
    for spread, _ in unique:
        bucket = spread & (capacity - 1)
        sizes[bucket] = sizes.get(bucket, 0) + 1
    return capacity, sizes
