"""Closest-name suggestions ("did you mean 'ResultPath'?") for misspelt fields, states and values."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# difflib's default 0.6 proposes unrelated names for short words; 0.7 keeps typos and case slips.
_CUTOFF = 0.7


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``word``: an exact case-insensitive match first, then difflib's best."""
    options = [candidate for candidate in candidates if candidate != word]
    lowered = word.lower()
    for candidate in options:
        if candidate.lower() == lowered:
            return candidate
    matches = difflib.get_close_matches(word, options, n=1, cutoff=_CUTOFF)
    if matches:
        return matches[0]
    folded = difflib.get_close_matches(lowered, [option.lower() for option in options], n=1, cutoff=_CUTOFF)
    if folded:
        return next(option for option in options if option.lower() == folded[0])
    return None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """``"did you mean 'X'?"`` or None when nothing is close enough."""
    match = closest(word, candidates)
    return f"did you mean '{match}'?" if match is not None else None
