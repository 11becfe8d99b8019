"""Decisions: what the engine chose where AWS's history does not say (for coverage and assertions)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Decision:
    """A choice the engine made that AWS's history does not spell out (for coverage and assertions).

    ``kind`` is "choice" (``index`` = the matched rule, None for Default), "retry" (the retrier used)
    or "catch" (the catcher used); ``error`` is the error retried or caught.
    """

    kind: str
    state: str
    index: int | None
    error: str | None = None
