"""AWS's rules for the names of state machines, executions, activities and aliases."""

from __future__ import annotations

from asl_engine.server.errors import ServiceError

FORBIDDEN = frozenset(' \t\n\r<>{}[]?*"#%\\^|~`$&,;:/')


def check_name(name: str, *, limit: int = 80) -> None:
    """``InvalidName`` for a name with whitespace, brackets, wildcards, special or control characters."""
    bad = (
        not 1 <= len(name) <= limit
        or any(char in FORBIDDEN for char in name)
        or any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F or 0xD800 <= ord(char) <= 0xDFFF for char in name)
    )
    if bad:
        raise ServiceError("InvalidName", f"Invalid Name: '{name}'")
