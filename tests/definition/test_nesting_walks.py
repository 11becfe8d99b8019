"""The structural walks every loaded definition goes through (``definition/nesting.py``): a pointer
is written only for the node they report, so each reported pointer must resolve to that node.

Hypothesis builds JSON documents with keys that need escaping in a pointer (``/`` and ``~``); one
non-finite number placed anywhere must be found at a pointer that resolves to it, a document
without one must pass, and a document nested past the limit must be reported at an object or an
array that deep.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from asl_engine.definition import pointers
from asl_engine.definition.nesting import non_finite_at, survey, too_deep_at

KEYS = st.text(alphabet="ab/~0", min_size=1, max_size=4)
"""Keys that need escaping in a pointer (not empty: "/" names the document itself in these reports)."""
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | KEYS
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=30,
)


def _containers(document: Any, pointer: str = "") -> list[str]:
    """Pointers of every object and array in ``document``, itself included."""
    found = [pointer]
    items = document.items() if isinstance(document, dict) else enumerate(document)
    for key, item in items:
        if isinstance(item, dict | list):
            found += _containers(item, pointers.join(pointer, key))
    return found


@given(DOCUMENTS)
def test_a_document_of_finite_numbers_passes(document: Any) -> None:
    assert non_finite_at(document) is None


@given(
    st.dictionaries(KEYS, DOCUMENTS, min_size=1, max_size=4),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.data(),
)
def test_a_non_finite_number_is_found_where_it_is(document: dict[str, Any], bad: float, data: Any) -> None:
    where = data.draw(st.sampled_from(_containers(document)))
    container = pointers.resolve(document, where) if where else document
    if isinstance(container, dict):
        key: Any = data.draw(KEYS)
        container[key] = bad
    else:
        key = data.draw(st.integers(0, len(container)))
        container.insert(key, bad)
    pointer = non_finite_at(document)
    assert pointer is not None
    found = pointers.resolve(document, "" if pointer == "/" else pointer)
    assert isinstance(found, float)
    assert not math.isfinite(found)


@given(st.lists(KEYS | st.integers(0, 2), min_size=4, max_size=12), st.integers(1, 10))
def test_too_deep_is_reported_at_a_container_past_the_limit(path: list[Any], limit: int) -> None:
    document: Any = {}
    node = document
    for step in path:  # a chain of objects and arrays, len(path) + 1 levels deep
        child: Any = {}
        if isinstance(step, str):
            node[step] = child
        else:
            node["list"] = [0] * step + [child]
        node = child
    pointer = too_deep_at(document, limit)
    depth = len(_containers_deepest(document))
    if depth <= limit:
        assert pointer is None
        return
    assert pointer is not None
    target = pointers.resolve(document, pointer)
    assert isinstance(target, dict | list)
    assert len(pointers.split(pointer)) + 1 > limit


def _containers_deepest(document: Any) -> list[Any]:
    """The longest chain of nested objects and arrays from ``document`` down."""
    best: list[Any] = []
    items = document.items() if isinstance(document, dict) else enumerate(document)
    for _, item in items:
        if isinstance(item, dict | list):
            chain = _containers_deepest(item)
            if len(chain) > len(best):
                best = chain
    return [document, *best]


def _depth(value: Any) -> int:
    """Levels of objects and arrays, recursively (the document itself is level 1; a scalar is 0)."""
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(map(_has_non_finite, value.values()))
    if isinstance(value, list):
        return any(map(_has_non_finite, value))
    return False


class _Float(float):
    pass


class _List(list):  # type: ignore[type-arg]
    pass


WITH_NON_FINITE = st.recursive(
    SCALARS | st.sampled_from([math.nan, math.inf, -math.inf]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=30,
)
SUBCLASSED = st.recursive(
    SCALARS | st.sampled_from([math.inf, _Float(1.5), _Float(math.nan), (1, [2])]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(_List)
        | st.dictionaries(KEYS, inner, max_size=4)
        | st.dictionaries(KEYS, inner, max_size=4).map(OrderedDict)
    ),
    max_leaves=30,
)
"""What only a caller's dict holds (subclasses, a tuple): ``survey``'s isinstance loop, not its C path."""


@given(WITH_NON_FINITE | DOCUMENTS | SUBCLASSED, st.integers(0, 8))
def test_survey_answers_what_the_pointer_walks_find(document: Any, limit: int) -> None:
    """``survey`` (the one walk of every load) against recursive references and against the walks
    that name the place: too deep exactly when ``too_deep_at`` names one, and, when not too deep, a
    non-finite number exactly when ``non_finite_at`` names one."""
    too_deep, non_finite = survey(document, limit)
    assert too_deep == (_depth(document) > limit)
    assert too_deep == (too_deep_at(document, limit) is not None)
    if not too_deep:
        assert non_finite == _has_non_finite(document)
        assert non_finite == (non_finite_at(document) is not None)


def test_survey_stops_on_a_value_that_contains_itself() -> None:
    looped: list[Any] = [1.5]
    looped.append({"again": looped})
    assert survey(looped, 10) == (True, False)
    assert too_deep_at(looped, 10) is not None
