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


FUZZY_COMPARISONS = 50_000
"""Fuzzy comparisons one validation may spend on suggestions for names from a large set (state
names): beyond it, a misspelt name still gets a case-insensitive match, but no fuzzy one. This keeps
validation linear in the number of problems (3,000 missing targets among 3,000 states would
otherwise compare nine million pairs)."""


class Budget:
    """Comparisons left for fuzzy suggestions (``FUZZY_COMPARISONS`` per validation)."""

    __slots__ = ("remaining", "spent")

    def __init__(self, comparisons: int = FUZZY_COMPARISONS) -> None:
        self.remaining = comparisons
        self.spent = 0

    def take(self, comparisons: int) -> bool:
        if comparisons > self.remaining:
            return False
        self.remaining -= comparisons
        self.spent += comparisons
        return True


class NameSuggester:
    """``did_you_mean`` over one set of names, indexed once: a case-insensitive match is a lookup,
    and fuzzy matching draws on a shared ``Budget``."""

    def __init__(self, names: Iterable[str], budget: Budget) -> None:
        self._names = list(names)
        self._folded: dict[str, list[str]] = {}
        for name in self._names:
            self._folded.setdefault(name.lower(), []).append(name)
        self._budget = budget

    def did_you_mean(self, word: str) -> str | None:
        same = [name for name in self._folded.get(word.lower(), ()) if name != word]
        if same:
            return f"did you mean '{same[0]}'?"
        if not self._budget.take(2 * len(self._names)):
            return None
        return did_you_mean(word, self._names)
