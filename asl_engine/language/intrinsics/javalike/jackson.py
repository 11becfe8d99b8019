"""Jackson's JSON text: how AWS writes values (``States.JsonToString``, error messages) and how
it reports text it cannot parse (``States.StringToJson``).

Writing: compact, no ASCII escaping, doubles in ``Double.toString`` form (``1.0E20``, not
``1e+20``) and uppercase ``\\u001F`` escapes. Python's C encoder is used and its output patched
only in the rare cases where the two differ, so the common case stays fast.

Reading: ``ObjectMapper.readTree`` (Jackson 2.17) semantics: blank text is ``null``, text after
the first value is ignored (except right after a root number or keyword), ``NaN``/``Infinity``,
leading zeros, comments and more than 1000 levels of nesting are rejected, and failures carry
Jackson's wording and location, e.g. ``Unexpected character ('b' (code 98)): was expecting
double-quote to start field name\\n at [Source: REDACTED (...); line: 1, column: 2]``. The three
messages AWS recorded match Jackson 2.17 byte for byte; the others were checked against that
Jackson release. Python's C decoder parses; a Jackson-faithful reader takes over only when it
fails or the text is suspicious, so valid documents pay nothing for the fidelity.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from typing import Any, Final, NoReturn

from asl_engine.language.intrinsics.javalike.text import java_double

_SOURCE: Final = "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"
_JSON_WHITESPACE: Final = " \t\n\r"
# Float renderings where Python's repr and Java's Double.toString disagree: exponents, plain
# numbers at or above 1e7, plain numbers below 1e-3, and non-finite values (which Jackson writes
# as strings). Matches inside strings only cost speed.
_PYTHON_ONLY_FLOAT = re.compile(r"e[+-]\d|\d{8,}\.\d|0\.000\d|Infinity|NaN")
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
        text = java_double(value)
        parts.append(text if math.isfinite(value) else f'"{text}"')
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


# --- reading-------------------------------------------------------------------------------------

_MAX_DEPTH: Final = 1000
_MAX_NUMBER_LENGTH: Final = 1000
_MAX_TOKEN_IN_ERROR: Final = 256
_VALID_VALUES: Final = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_ESCAPES: Final = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX_DIGITS: Final = frozenset("0123456789abcdefABCDEF")
_LONG_INTEGER = re.compile(r"\d{1001}")
_HUGE_EXPONENT = re.compile(r"[eE][+-]?\d{3}")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _NonNumericNumber(ValueError):
    pass


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
        return None  # Observed on AWS: "" and " " give null.
    try:
        value, end = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):  # JSONDecodeError, NaN/Infinity, huge integers, deep nesting
        return _Reader(text).read()
    if end < length and _ends_badly(value, text[end]):
        return _Reader(text).read()
    if _LONG_INTEGER.search(text, start, end):
        return _Reader(text).read()
    if _HUGE_EXPONENT.search(text, start, end):
        value = _finite(value)
    if (
        type(value) in (dict, list)
        and text.count("[", start, end) + text.count("{", start, end) > _MAX_DEPTH
        and _deeper_than(value, _MAX_DEPTH)
    ):
        return _Reader(text).read()
    return value


def _finite(value: Any) -> Any:
    """A double too large for Java is Infinity, which Jackson writes as the string ``"Infinity"``."""
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else java_double(value)
    if kind is list:
        return [_finite(item) for item in value]
    if kind is dict:
        return {key: _finite(item) for key, item in value.items()}
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    pending = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        children = node.values() if type(node) is dict else node
        for child in children:
            if type(child) is dict or type(child) is list:
                if depth + 1 > limit:
                    return True
                pending.append((child, depth + 1))
    return False


def _ends_badly(value: Any, following: str) -> bool:
    """Jackson reads past a root number or keyword: ``12x``, ``truex`` and ``0x1`` are errors."""
    kind = type(value)
    if kind is int or kind is float:
        return following not in _JSON_WHITESPACE
    if value is True or value is False or value is None:
        return _continues_keyword(following)
    return False


def _continues_keyword(char: str) -> bool:
    return char >= "0" and char not in "]}" and _identifier_part(char)


def _identifier_start(char: str) -> bool:
    """``Character.isJavaIdentifierStart``."""
    return unicodedata.category(char) in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Sc", "Pc")


def _identifier_part(char: str) -> bool:
    """``Character.isJavaIdentifierPart``, identifier-ignorable control characters included."""
    code = ord(char)
    if code <= 8 or 0x0E <= code <= 0x1B or 0x7F <= code <= 0x9F:
        return True
    return unicodedata.category(char) in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Nd", "Sc", "Pc", "Mn", "Mc", "Cf")


class _Frame:
    __slots__ = ("container", "count", "key", "kind", "start")

    def __init__(self, kind: str, start: int) -> None:
        self.kind = kind
        self.start = start
        self.container: Any = {} if kind == "{" else []
        self.count = 0
        self.key = ""

    @property
    def description(self) -> str:
        return "Object" if self.kind == "{" else "Array"

    def add(self, value: Any) -> None:
        if self.kind == "{":
            self.container[self.key] = value
        else:
            self.container.append(value)
        self.count += 1


class _Reader:
    """Jackson's ``ReaderBasedJsonParser`` as far as errors go: same checks, same order, same text.

    Iterative, so nesting is bounded by Jackson's own limit rather than Python's stack.
    """

    __slots__ = ("_length", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._length = len(text)

    def read(self) -> Any:
        text = self._text
        index = self._skip_blanks(0)
        if index >= self._length:
            return None
        if text[index] in "]}":
            self._mismatched_close(text[index], None, index)
        stack: list[_Frame] = []
        value, index = self._value(index, stack)
        if not stack:
            return self._root_scalar(value, index)
        while True:
            frame = stack[-1]
            index = self._skip_blanks(index)
            if index >= self._length:
                self._fail(
                    f"Unexpected end-of-input: expected close marker for {frame.description} (start marker at "
                    f"{_SOURCE}; {self._line_column(frame.start)}])",
                    index,
                )
            char = text[index]
            if char in "]}":
                if (char == "]") != (frame.kind == "["):
                    self._mismatched_close(char, frame, index)
                stack.pop()
                index += 1
                if not stack:
                    return frame.container
                stack[-1].add(frame.container)
                continue
            if frame.count:
                if char != ",":
                    self._fail(
                        f"Unexpected character ({_char_label(char)}): was expecting comma to separate "
                        f"{frame.description} entries",
                        index,
                    )
                index = self._after_separator(index, frame)
                char = text[index]
            if frame.kind == "{":
                if char != '"':
                    self._fail(
                        f"Unexpected character ({_char_label(char)}): was expecting double-quote to start field name",
                        index,
                    )
                frame.key, index = self._string(index, name=True)
                index = self._skip_blanks(index)
                if index >= self._length:
                    self._fail("Unexpected end-of-input within/between Object entries", index)
                if text[index] != ":":
                    self._fail(
                        f"Unexpected character ({_char_label(text[index])}): was expecting a colon to separate field "
                        "name and value",
                        index,
                    )
                index = self._after_separator(index, frame)
            elif text[index] == "}":  # after a comma in an array
                self._fail("Unexpected character ('}' (code 125)): expected a value", index)
            depth = len(stack)
            value, index = self._value(index, stack)
            if len(stack) == depth:
                frame.add(value)

    def _after_separator(self, index: int, frame: _Frame) -> int:
        index = self._skip_blanks(index + 1)
        if index >= self._length:
            self._fail(f"Unexpected end-of-input within/between {frame.description} entries", index)
        return index

    def _root_scalar(self, value: Any, index: int) -> Any:
        if type(value) in (int, float) and index < self._length and self._text[index] not in _JSON_WHITESPACE:
            char = self._text[index]
            self._fail(
                f"Unexpected character ({_char_label(char)}): Expected space separating root-level values", index
            )
        return value

    def _skip_blanks(self, index: int) -> int:
        text = self._text
        while index < self._length:
            char = text[index]
            if char in _JSON_WHITESPACE:
                index += 1
            elif char == "/":
                self._fail(
                    "Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one "
                    "since Feature 'ALLOW_COMMENTS' not enabled for parser)",
                    index,
                )
            elif char < " ":
                self._fail(
                    f"Illegal character ({_char_label(char)}): only regular white space (\\r, \\n, \\t) is allowed "
                    "between tokens",
                    index + 1,
                )
            else:
                break
        return index

    def _value(self, index: int, stack: list[_Frame]) -> tuple[Any, int]:
        """A value starting at ``index``; a container only opens a frame (returns ``None``)."""
        char = self._text[index]
        if char == '"':
            return self._string(index, name=False)
        if char in "{[":
            if len(stack) >= _MAX_DEPTH:
                self._fail(
                    f"Document nesting depth ({len(stack) + 1}) exceeds the maximum allowed ({_MAX_DEPTH}, from "
                    "`StreamReadConstraints.getMaxNestingDepth()`)",
                    None,
                )
            stack.append(_Frame(char, index))
            return None, index + 1
        if char == "t":
            return True, self._keyword("true", index)
        if char == "f":
            return False, self._keyword("false", index)
        if char == "n":
            return None, self._keyword("null", index)
        if char == "-" or "0" <= char <= "9":
            return self._number(index)
        if char == "N":
            self._non_numeric(self._keyword("NaN", index), "NaN")
        if char == "I":
            self._non_numeric(self._keyword("Infinity", index), "Infinity")
        if char == "+":
            if index + 1 >= self._length:
                self._fail("Unexpected end-of-input in a Number value", self._length)
            self._fail(
                "Unexpected character ('+' (code 43)) in numeric value: JSON spec does not allow numbers to have plus "
                "signs: enable `JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow",
                index + 1,
            )
        if _identifier_start(char):
            self._invalid_token(char, index + 1)
        self._fail(f"Unexpected character ({_char_label(char)}): expected a valid value {_VALID_VALUES}", index)

    def _keyword(self, word: str, index: int, matched: int = 1) -> int:
        text = self._text
        for offset in range(matched, len(word)):
            position = index + offset
            if position >= self._length or text[position] != word[offset]:
                self._invalid_token(word[:offset], position)
        end = index + len(word)
        if end < self._length and _continues_keyword(text[end]):
            self._invalid_token(word, end)
        return end

    def _non_numeric(self, end: int, token: str) -> None:
        self._fail(f"Non-standard token '{token}': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", end)

    def _invalid_token(self, prefix: str, index: int) -> None:
        text = self._text
        token = [prefix]
        size = len(prefix)
        while index < self._length and _identifier_part(text[index]):
            token.append(text[index])
            index += 1
            size += 1
            if size >= _MAX_TOKEN_IN_ERROR:
                token.append("...")
                break
        self._fail(f"Unrecognized token '{''.join(token)}': was expecting {_VALID_VALUES}", index)

    def _number(self, start: int) -> tuple[Any, int]:
        text = self._text
        length = self._length
        index = start
        if text[index] == "-":
            index += 1
            if index >= length:
                self._fail("Unexpected end-of-inputNo digit following sign", length)
            if text[index] == "I":
                if index + 1 >= length:
                    self._fail("Unexpected end-of-input in a Number value", length)
                follower = text[index + 1]
                if follower in "nN":
                    word = "-Infinity" if follower == "n" else "-INF"
                    self._non_numeric(self._keyword(word, start, 3), word)
                self._fail(
                    f"Unexpected character ({_char_label(follower)}) in numeric value: expected digit (0-9) to follow "
                    "minus sign, for valid numeric value",
                    index + 1,
                )
            if text[index] == ".":
                self._fail(f"Unexpected character ('.' (code 46)): expected a valid value {_VALID_VALUES}", index)
            if not "0" <= text[index] <= "9":
                self._fail(
                    f"Unexpected character ({_char_label(text[index])}) in numeric value: expected digit (0-9) to "
                    "follow minus sign, for valid numeric value",
                    index,
                )
        digits_start = index
        if text[index] == "0" and index + 1 < length and "0" <= text[index + 1] <= "9":
            self._fail("Invalid numeric value: Leading zeroes not allowed", index + 1)
        while index < length and "0" <= text[index] <= "9":
            index += 1
        if index - digits_start > _MAX_NUMBER_LENGTH:
            self._fail(
                f"Number value length ({index - digits_start}) exceeds the maximum allowed ({_MAX_NUMBER_LENGTH}, "
                "from `StreamReadConstraints.getMaxNumberLength()`)",
                None,
            )
        # Jackson reports fraction and exponent errors one character further on after a lone 0.
        shift = 1 if index - digits_start == 1 and text[digits_start] == "0" else 0
        integral = True
        if index < length and text[index] == ".":
            integral = False
            point = index
            index += 1
            if index >= length or not "0" <= text[index] <= "9":
                found = text[index] if index < length else "."
                self._fail(
                    f"Unexpected character ({_char_label(found)}) in numeric value: Decimal point not followed by a "
                    "digit",
                    point + (shift if index < length else 0),
                )
            while index < length and "0" <= text[index] <= "9":
                index += 1
        if index < length and text[index] in "eE":
            integral = False
            marker = index
            index += 1
            if index < length and text[index] in "+-":
                index += 1
            if index >= length:
                self._fail("Unexpected end-of-inputexpected a digit for number exponent", length)
            if not "0" <= text[index] <= "9":
                self._fail(
                    f"Unexpected character ({_char_label(text[index])}) in numeric value: Exponent indicator not "
                    "followed by a digit",
                    marker + shift,
                )
            while index < length and "0" <= text[index] <= "9":
                index += 1
        token = text[start:index]
        return (int(token) if integral else _finite(float(token))), index

    def _string(self, start: int, *, name: bool) -> tuple[str, int]:
        text = self._text
        length = self._length
        parts: list[str] = []
        index = start + 1
        while True:
            if index >= length:
                if name:
                    self._fail("Unexpected end-of-input in field name", length)
                self._fail("Unexpected end-of-input: was expecting closing quote for a string value", length)
            char = text[index]
            if char == '"':
                value = "".join(parts)
                if not value.isascii():  # join surrogate pairs written as \uD83D\uDE80
                    value = value.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
                return value, index + 1
            if char == "\\":
                index += 1
                if index >= length:
                    self._fail("Unexpected end-of-input in character escape sequence", length)
                escaped = text[index]
                if escaped == "u":
                    code = 0
                    for _ in range(4):
                        index += 1
                        if index >= length:
                            self._fail("Unexpected end-of-input in character escape sequence", length)
                        digit = text[index]
                        if digit not in _HEX_DIGITS:
                            self._fail(
                                f"Unexpected character ({_char_label(digit)}): expected a hex-digit for character "
                                "escape sequence",
                                index,
                            )
                        code = code * 16 + int(digit, 16)
                    parts.append(chr(code))
                elif escaped in _ESCAPES:
                    parts.append(_ESCAPES[escaped])
                else:
                    self._fail(f"Unrecognized character escape {_char_label(escaped)}", index)
                index += 1
            elif char < " ":
                where = "name" if name else "string value"
                self._fail(
                    f"Illegal unquoted character ({_char_label(char)}): has to be escaped using backslash to be "
                    f"included in {where}",
                    index,
                )
            else:
                parts.append(char)
                index += 1

    def _mismatched_close(self, char: str, frame: _Frame | None, index: int) -> None:
        expected = "}" if char == "]" else "]"
        if frame is None:
            where = f"root starting at {_SOURCE}; line: 1]"
        else:
            where = f"{frame.description} starting at {_SOURCE}; {self._line_column(frame.start)}]"
        self._fail(f"Unexpected close marker '{char}': expected '{expected}' (for {where})", index)

    def _line_column(self, position: int) -> str:
        line, column = _line_column(self._text, position)
        return f"line: {line}, column: {column}"

    def _fail(self, message: str, position: int | None) -> NoReturn:
        if position is None:
            raise JsonTextError(message)
        raise JsonTextError(f"{message}\n at {_SOURCE}; {self._line_column(position)}]")


def _line_column(text: str, position: int) -> tuple[int, int]:
    """Jackson counts ``\\n``, ``\\r`` and ``\\r\\n`` as one line break and columns in UTF-16 units."""
    line = 1
    line_start = 0
    for match in _LINE_BREAK.finditer(text, 0, position):
        line += 1
        line_start = match.end()
    prefix = text[line_start:position]
    column = len(prefix) + sum(1 for char in prefix if ord(char) > 0xFFFF) + 1
    return line, column


def _char_label(char: str) -> str:
    """Jackson's ``_getCharDesc``: a non-BMP character shows as its leading surrogate."""
    code = ord(char)
    if code > 0xFFFF:
        code = 0xD800 + ((code - 0x10000) >> 10)
    if code < 32 or 0x7F <= code <= 0x9F:
        return f"(CTRL-CHAR, code {code})"
    shown = "?" if 0xD800 <= code <= 0xDFFF else char
    if code > 255:
        return f"'{shown}' (code {code} / 0x{code:x})"
    return f"'{shown}' (code {code})"
