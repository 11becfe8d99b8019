"""The names of the language that every layer reads: state types, query languages, machine types.

Written once here; the schema checks, the rules, the compiler and the messages all read them (the
JSON Schema file, ``schemas/asl.schema.json``, lists the state types too: a test keeps it in step).
"""

from __future__ import annotations

STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
"""Every state ``Type``, in the order AWS lists them in its messages."""

TYPE_VALUES_MESSAGE = "The field 'Type' should have one of these values: [" + ", ".join(STATE_TYPES) + "]"
"""AWS's message for a ``Type`` that is none of them."""

JSONPATH = "JSONPath"
JSONATA = "JSONata"
QUERY_LANGUAGES = (JSONPATH, JSONATA)
"""``QueryLanguage`` values; JSONPath is the default."""

JSONATA_OPEN, JSONATA_CLOSE = "{%", "%}"
"""What wraps a JSONata expression in a JSON string of a JSONata state."""


def is_jsonata_string(value: object) -> bool:
    """A JSON string is a JSONata expression exactly when it starts with ``{%`` and ends with ``%}``."""
    return (
        isinstance(value, str) and len(value) >= 4 and value.startswith(JSONATA_OPEN) and value.endswith(JSONATA_CLOSE)
    )


MACHINE_TYPES = ("STANDARD", "EXPRESS")
