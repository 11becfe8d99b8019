"""AWS's rules for the names of state machines, executions, activities and aliases."""

from __future__ import annotations

import re

from asl_engine.server.errors import ServiceError

FORBIDDEN = frozenset(' \t\n\r<>{}[]?*"#%\\^|~`$&,;:/')
_REFUSED = re.compile("[" + re.escape("".join(sorted(FORBIDDEN))) + "\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""Any one character a name may not hold: ``FORBIDDEN``, control characters (C0 and C1) and lone
surrogates (one search in C instead of three scans in Python: every StartExecution with a name
checks it)."""


def check_name(name: str, *, limit: int = 80) -> None:
    """``InvalidName`` for a name with whitespace, brackets, wildcards, special or control characters."""
    if not 1 <= len(name) <= limit or _REFUSED.search(name) is not None:
        raise ServiceError("InvalidName", f"Invalid Name: '{name}'")
