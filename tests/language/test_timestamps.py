from __future__ import annotations

import pytest

from asl_engine.language.timestamps import parse_timestamp


@pytest.mark.parametrize(
    "text",
    [
        "2016-03-14T01:59:00Z",
        "2016-03-14T01:59:00.123Z",
        "2016-03-14T01:59:00.000000Z",
        "2016-03-14T01:59:00+02:00",
        "2024-02-29T00:00:00Z",
    ],
)
def test_valid(text: str) -> None:
    assert parse_timestamp(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "2016-12-05 21:29:29Z",
        "2016-12-05T21:29:29",
        "2016-13-05T21:29:29Z",
        "2016-12-05T25:29:29Z",
        "05-12-2016T21:29:29Z",
        "2016-12-05t21:29:29z",
        "2023-02-29T00:00:00Z",
        "",
        5,
        None,
    ],
)
def test_invalid(text: object) -> None:
    assert parse_timestamp(text) is None


def test_offsets_denote_the_same_instant() -> None:
    assert parse_timestamp("2016-03-14T01:59:00Z") == parse_timestamp("2016-03-14T03:59:00+02:00")
    early, late = parse_timestamp("2016-03-14T01:59:00.1Z"), parse_timestamp("2016-03-14T01:59:00.12Z")
    assert early is not None and late is not None and early < late
