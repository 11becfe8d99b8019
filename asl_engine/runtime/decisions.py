"""Decisions: what the engine chose where AWS's history does not say (for coverage and assertions)."""

from __future__ import annotations

from typing import NamedTuple


class Decision(NamedTuple):
    """A choice the engine made that AWS's history does not spell out (for coverage and assertions).

    ``kind`` is "choice" (``index`` = the matched rule, None for Default), "retry" (the retrier used)
    or "catch" (the catcher used); ``error`` is the error retried or caught. A named tuple: every
    retry makes one, in a fraction of a frozen dataclass's time.
    """

    kind: str
    state: str
    index: int | None  # type: ignore[assignment]  # the field shadows tuple.index(), which nobody calls on it
    error: str | None = None
