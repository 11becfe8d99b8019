"""Jackson's JSON text: how AWS writes values (``States.JsonToString``, error messages) and how
it reports text it cannot parse (``States.StringToJson``).

Writing: compact, no ASCII escaping, doubles in ``Double.toString`` form (``1.0E20``, not
``1e+20``) and uppercase ``\\u001F`` escapes. Python's C encoder is used and its output patched
only in the rare cases where the two differ, so the common case stays fast.

Reading: ``ObjectMapper.readTree`` semantics as observed on AWS: blank text is ``null``, trailing
text after the first value is ignored, ``NaN``/``Infinity`` are rejected, and failures carry
Jackson's wording and location, e.g. ``Unexpected character ('b' (code 98)): was expecting
double-quote to start field name\\n at [Source: REDACTED (...); line: 1, column: 2]``.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from asl_engine.language.intrinsics.javalike.text import java_double

_SOURCE: Final = "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"
_JSON_WHITESPACE: Final = " \t\n\r"
# Float renderings where Python's repr and Java's Double.toString disagree: exponents, plain
# numbers at or above 1e7, and plain numbers below 1e-3. Matches inside strings only cost speed.
_PYTHON_ONLY_FLOAT = re.compile(r"e[+-]\d|\d{8,}\.\d|0\.000\d")
_LOWERCASE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u00([0-9a-f]{2})")
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


class JsonTextError(ValueError):
    """Text that Jackson would refuse, with Jackson's message (location included)."""


# --- writing -------------------------------------------------------------------------------------


def to_json(value: Any) -> str:
    """Compact JSON text exactly as Jackson writes it."""
    text = _COMPACT.encode(value)
    if _PYTHON_ONLY_FLOAT.search(text):
        text = "".join(_write(value))
    if "\\u00" in text:
        text = _LOWERCASE_ESCAPE.sub(_uppercase_escape, text)
    return text


def _uppercase_escape(match: re.Match[str]) -> str:
    return f"{match.group(1)}\\u00{match.group(2).upper()}"


def _write(value: Any) -> list[str]:
    parts: list[str] = []
    _write_into(value, parts)
    return parts


def _write_into(value: Any, parts: list[str]) -> None:
    kind = type(value)
    if kind is float:
        parts.append(java_double(value))
    elif kind is list:
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            _write_into(item, parts)
        parts.append("]")
    elif kind is dict:
        parts.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                parts.append(",")
            parts.append(_COMPACT.encode(str(key)))
            parts.append(":")
            _write_into(item, parts)
        parts.append("}")
    else:
        parts.append(_COMPACT.encode(value))


# --- reading -------------------------------------------------------------------------------------


class _NonNumericNumber(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _reject_constant(token: str) -> Any:
    raise _NonNumericNumber(token)


_DECODER: Final = json.JSONDecoder(parse_constant=_reject_constant)


def parse_json(text: str) -> Any:
    """Parse like ``ObjectMapper.readTree``; raise ``JsonTextError`` with Jackson's message."""
    start = 0
    length = len(text)
    while start < length and text[start] in _JSON_WHITESPACE:
        start += 1
    if start == length:
        return None  # Observed: "" and " " give null.
    try:
        value, end = _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as error:
        raise JsonTextError(_describe(text, error.msg, error.pos)) from None
    except _NonNumericNumber as error:
        where = text.find(error.token, start)
        location = where + len(error.token) if where >= 0 else length
        message = f"Non-standard token '{error.token}': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"
        raise JsonTextError(_located(message, text, location)) from None
    if type(value) in (int, float) and end < length and text[end].isdigit():
        raise JsonTextError(_located("Invalid numeric value: Leading zeroes not allowed", text, end))
    return value


def _describe(text: str, message: str, position: int) -> str:
    length = len(text)
    if message.startswith("Unterminated string"):
        return _located("Unexpected end-of-input: was expecting closing quote for a String value", text, length)
    if position >= length:
        return _end_of_input(text)
    char = text[position]
    if message.startswith("Invalid control character"):
        return _located(
            f"Illegal unquoted character ({_char_label(char)}): has to be escaped using backslash to be included "
            "in string value",
            text,
            position,
        )
    if message.startswith("Invalid \\"):
        escaped = text[position + 1] if position + 1 < length else ""
        return _located(
            f"Unrecognized character escape {_quoted_char(escaped)} (code {ord(escaped) if escaped else 0})",
            text,
            position + 1,
        )
    if message.startswith("Expecting value"):
        if char.isalpha() or char in "_$":
            end = position
            while end < length and (text[end].isalnum() or text[end] in "_$"):
                end += 1
            return _located(
                f"Unrecognized token '{text[position:end]}': was expecting (JSON String, Number, Array, Object or "
                "token 'null', 'true' or 'false')",
                text,
                end,
            )
        return _located(f"Unexpected character ({_char_label(char)}): expected a value", text, position)
    if message.startswith("Expecting property name"):
        return _located(
            f"Unexpected character ({_char_label(char)}): was expecting double-quote to start field name", text, position
        )
    if message.startswith("Expecting ':'"):
        return _located(
            f"Unexpected character ({_char_label(char)}): was expecting a colon to separate field name and value",
            text,
            position,
        )
    if message.startswith("Expecting ','"):
        container = _open_containers(text, position)
        kind = "Object" if container and container[-1][0] == "{" else "Array"
        return _located(
            f"Unexpected character ({_char_label(char)}): was expecting comma to separate {kind} entries", text, position
        )
    return _located(f"Unexpected character ({_char_label(char)})", text, position)


def _end_of_input(text: str) -> str:
    containers = _open_containers(text, len(text))
    if not containers:
        return _located("No content to map due to end-of-input", text, len(text))
    opener, start = containers[-1]
    kind = "Object" if opener == "{" else "Array"
    line, column = _line_column(text, start)
    return _located(
        f"Unexpected end-of-input: expected close marker for {kind} (start marker at {_SOURCE}; line: {line}, "
        f"column: {column}])",
        text,
        len(text),
    )


def _open_containers(text: str, upto: int) -> list[tuple[str, int]]:
    """The ``{``/``[`` still open before ``upto``, with their positions (strings skipped)."""
    stack: list[tuple[str, int]] = []
    in_string = False
    index = 0
    while index < upto:
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append((char, index))
        elif char in "}]" and stack:
            stack.pop()
        index += 1
    return stack


def _located(message: str, text: str, position: int) -> str:
    line, column = _line_column(text, position)
    return f"{message}\n at {_SOURCE}; line: {line}, column: {column}]"


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    line_start = text.rfind("\n", 0, position) + 1
    return line, position - line_start + 1


def _char_label(char: str) -> str:
    code = ord(char)
    if code < 32:
        return f"(CTRL-CHAR, code {code})"
    return f"{_quoted_char(char)} (code {code})"


def _quoted_char(char: str) -> str:
    return f"'{char}'"
