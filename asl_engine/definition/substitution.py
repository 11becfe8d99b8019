"""Definition substitutions: ``${Name}`` replaced as CloudFormation's ``DefinitionSubstitutions`` do.

CloudFormation (and SAM) replace placeholders in the definition's *text* before Step Functions
parses it, so a placeholder may stand outside quotes: ``"TimeoutSeconds": ${Timeout}``. Text
sources (JSON or YAML text, files) are substituted that way here, before parsing:

* in JSON text, inside a string literal the value is inserted as string content (escaped, so a
  quote or backslash in it stays text); a literal that is exactly ``"${Name}"`` with a non-string
  value (a Python number, say) becomes that JSON value; outside strings the value is inserted
  as written (a string as is, anything else as JSON text);
* in YAML text the value is inserted as written (a quoted scalar that is exactly ``"${Name}"``
  with a non-string value becomes that value, as in JSON).

A placeholder whose name was not supplied is left alone. Left outside a JSON string it makes the
text unparsable, so the loader reports each one (``UNRESOLVED_SUBSTITUTION``, with its line and
column) instead of a JSON syntax error. An already-parsed document (a dict) is substituted value
by value (``substitute``), the only way it can be.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{([^{}]+)\}")
_TEXT_PLACEHOLDER = re.compile(r"\$\{([^{}\"\\\n]+)\}")
_ANY_PLACEHOLDER = re.compile(r"\$\{")
_OPENS_OBJECT = re.compile(r"[\ufeff \t\r\n]*\{")
_QUOTED_YAML_PLACEHOLDER = re.compile(r"([\"'])\$\{([^{}\"'\\\n]+)\}\1")


@dataclass(slots=True)
class SubstitutedText:
    text: str
    unresolved_outside_strings: list[tuple[str, int]] = field(default_factory=list)
    """(name, offset in the original text) of placeholders left outside JSON strings (found only
    while substituting; ``unquoted_placeholders`` finds them in text that was not substituted)."""


def substitute_text(text: str, substitutions: Mapping[str, Any] | None) -> SubstitutedText:
    """``text`` with ``${Name}`` replaced (JSON when it opens with ``{``, else YAML)."""
    if not substitutions or not _ANY_PLACEHOLDER.search(text):
        return SubstitutedText(text)  # the common case, on the load path of every run
    values = substitutions
    if _OPENS_OBJECT.match(text):
        return _substitute_json(text, values)
    text = _QUOTED_YAML_PLACEHOLDER.sub(lambda match: _quoted_yaml(match, values), text)
    return SubstitutedText(_TEXT_PLACEHOLDER.sub(lambda match: _as_written(match, values), text))


def _quoted_yaml(match: re.Match[str], values: Mapping[str, Any]) -> str:
    """A quoted YAML scalar that is exactly a placeholder, given a non-string value, becomes the value."""
    name = match.group(2)
    if name in values and not isinstance(values[name], str):
        return json.dumps(values[name])
    return match.group(0)


def _as_written(match: re.Match[str], values: Mapping[str, Any]) -> str:
    name = match.group(1)
    if name not in values:
        return match.group(0)
    value = values[name]
    return value if isinstance(value, str) else json.dumps(value)


def unquoted_placeholders(text: str) -> list[tuple[str, int]]:
    """(name, offset) of every ``${Name}`` outside the string literals of JSON text."""
    if not _ANY_PLACEHOLDER.search(text) or not _OPENS_OBJECT.match(text):
        return []
    return _substitute_json(text, {}).unresolved_outside_strings


def _substitute_json(text: str, values: Mapping[str, Any]) -> SubstitutedText:
    out: list[str] = []
    unresolved: list[tuple[str, int]] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == '"':
            end = _end_of_string(text, index)
            out.append(_substitute_in_string(text[index:end], values))
            index = end
            continue
        match = _TEXT_PLACEHOLDER.match(text, index) if char == "$" else None
        if match is None:
            out.append(char)
            index += 1
            continue
        name = match.group(1)
        if name in values:
            out.append(_as_written(match, values))
        else:
            unresolved.append((name, index))
            out.append(match.group(0))
        index = match.end()
    return SubstitutedText("".join(out), unresolved)


def _end_of_string(text: str, start: int) -> int:
    """The index just after the quote that closes the JSON string opening at ``start``."""
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
        elif text[index] == '"':
            return index + 1
        elif text[index] == "\n":
            return index  # an unterminated string: leave the rest to the parser's error
        else:
            index += 1
    return len(text)


def _substitute_in_string(literal: str, values: Mapping[str, Any]) -> str:
    """One JSON string literal (quotes included) with its placeholders replaced."""
    if "${" not in literal:
        return literal
    whole = _TEXT_PLACEHOLDER.fullmatch(literal, 1, len(literal) - 1) if literal.endswith('"') else None
    if whole and whole.group(1) in values and not isinstance(values[whole.group(1)], str):
        return json.dumps(values[whole.group(1)])

    def escaped(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        return json.dumps(value if isinstance(value, str) else json.dumps(value), ensure_ascii=False)[1:-1]

    return _TEXT_PLACEHOLDER.sub(escaped, literal)


def substitute(document: dict[str, Any], substitutions: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with ``${Name}`` replaced in string values (unchanged parts are shared).

    A string that is exactly ``${Name}`` takes the supplied value itself (so a number can be
    substituted into ``TimeoutSeconds``); elsewhere the value is inserted as text.
    """

    def replace_in(value: Any) -> Any:
        if isinstance(value, str):
            if "${" not in value:
                return value
            whole = _PLACEHOLDER.fullmatch(value)
            if whole and whole.group(1) in substitutions:
                return substitutions[whole.group(1)]
            return _PLACEHOLDER.sub(_replacement, value)
        if isinstance(value, dict):
            return {key: replace_in(item) for key, item in value.items()}
        if isinstance(value, list):
            return [replace_in(item) for item in value]
        return value

    def _replacement(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in substitutions:
            return match.group(0)
        value = substitutions[name]
        return value if isinstance(value, str) else json.dumps(value)

    result: dict[str, Any] = replace_in(document)
    return result


def unresolved_placeholders(value: str) -> list[str]:
    """Names of the ``${Name}`` placeholders still present in a string."""
    return _PLACEHOLDER.findall(value)
