"""Reading a definition: from a dict, JSON or YAML text, or a file; with definition substitutions.

What ``load_definition`` accepts, decided in this order:

1. a ``Mapping`` is the document itself;
2. a ``pathlib.Path`` is a file to read (JSON or YAML, told apart by content, not by suffix);
3. a ``str`` is *text* when it parses as a JSON object or a YAML mapping; otherwise it is a *path*
   when it names an existing file; otherwise a single-line string ending in ``.json``, ``.yaml``,
   ``.yml`` or containing a path separator is reported as a missing file, and anything else as
   text that is not a definition (``INVALID_JSON_DESCRIPTION``, as AWS reports it).

The document is parsed with the stdlib ``json`` module (fast: this is on the load path of every
run); positions in the text are computed later, only for the pointers a diagnostic names.
Duplicate keys are detected while parsing: AWS rejects duplicate state names
(``DUPLICATE_STATE_NAME``), and a duplicated field silently dropping one value is never intended.

Definition substitutions (``DefinitionSubstitutions`` of SAM / CloudFormation) replace
``${Name}`` in the text before it is parsed, as CloudFormation does, so a placeholder may stand
outside quotes (``"TimeoutSeconds": ${Timeout}``); a dict is substituted value by value. See
``substitution``. Placeholders with no supplied value are left alone: one left outside a JSON
string is reported (``UNRESOLVED_SUBSTITUTION``, positioned), one left in a ``Resource`` by the
validator.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from asl_engine.definition import pointers, yaml_reader
from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.nesting import TOO_DEEP, non_finite_at, survey, too_deep_at, too_deep_message
from asl_engine.definition.substitution import substitute, substitute_text, unquoted_placeholders
from asl_engine.errors import DefinitionError, ValidationError

Syntax = Literal["object", "json", "yaml"]

_PATH_SUFFIXES = (".json", ".yaml", ".yml")
_JACKSON_SOURCE_LIMIT = 500
_STATES_BLOCK = re.compile(r"(?:^|/Branches/\d+|/ItemProcessor|/Iterator)/States$")


@dataclass(slots=True)
class LoadedDefinition:
    """A parsed definition and where it came from, able to point back into its text."""

    document: dict[str, Any]
    source_name: str | None = None
    """The file the definition was read from; None for text or a dict."""
    text: str | None = field(default=None, repr=False)
    syntax: Syntax = "object"
    problems: list[Diagnostic] = field(default_factory=list)
    """Problems found while parsing (duplicate keys), already positioned."""
    _yaml_root: Any = field(default=None, repr=False)
    _json_locator: pointers.JsonLocator | None = field(default=None, repr=False)

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """1-based (line, column) of a JSON pointer in the original text, or None."""
        if self.text is None or pointer is None:
            return None
        if self.syntax == "json":
            if self._json_locator is None:
                self._json_locator = pointers.JsonLocator(self.text)
            return self._json_locator.locate(pointer)
        if self.syntax == "yaml":
            if self._yaml_root is None:
                self._yaml_root = yaml_reader.compose(self.text)
            return pointers.locate_in_yaml(self._yaml_root, pointer) if self._yaml_root is not None else None
        return None

    def position(self, diagnostic: Diagnostic) -> Diagnostic:
        """``diagnostic`` with line and column filled in, when its location can be found."""
        if diagnostic.line is not None or not diagnostic.location or not diagnostic.location.startswith("/"):
            return diagnostic
        where = self.locate(diagnostic.location)
        if where is None:
            return diagnostic
        return Diagnostic(
            diagnostic.code,
            diagnostic.message,
            diagnostic.location,
            diagnostic.severity,
            where[0],
            where[1],
            diagnostic.suggestion,
        )


def load_definition(source: Any, *, substitutions: Mapping[str, Any] | None = None) -> LoadedDefinition:
    """Read a definition; raise ``DefinitionError`` (cannot read) or ``ValidationError`` (not a definition).

    Duplicate keys raise ``ValidationError`` too; use ``validate`` to get every problem at once.
    """
    loaded = read_definition(source, substitutions=substitutions)
    if loaded.problems:
        raise ValidationError(loaded.problems, loaded.source_name)
    return loaded


def read_definition(source: Any, *, substitutions: Mapping[str, Any] | None = None) -> LoadedDefinition:
    """Like ``load_definition`` but duplicate keys are returned in ``problems`` instead of raised.

    A definition nested deeper than ``MAX_NESTING_DEPTH`` raises ``ValidationError``
    (``NESTING_TOO_DEEP``, at the first place too deep), whatever its source.
    """
    if isinstance(source, Mapping):
        loaded = LoadedDefinition(source if isinstance(source, dict) else dict(source))
        _check_nesting(loaded)
        if substitutions:
            loaded.document = substitute(loaded.document, substitutions)
        return loaded
    if isinstance(source, Path):
        return _check_nesting(_parse_file(source, substitutions))
    if isinstance(source, str):
        return _check_nesting(_parse_string(source, substitutions))
    kind = type(source).__name__
    raise DefinitionError(f"a definition must be a dict, JSON or YAML text, or a file path, not {kind}")


def _check_nesting(loaded: LoadedDefinition) -> LoadedDefinition:
    """Refuse what no later step could walk (too deep) or AWS could read (a number that is not finite).

    One walk (``survey``) answers both for the usual definition; the place is looked for only when
    there is something to report."""
    too_deep, non_finite = survey(loaded.document)
    if not too_deep and not non_finite:
        return loaded
    pointer = too_deep_at(loaded.document)
    if pointer is not None:
        diagnostic = Diagnostic(TOO_DEEP, too_deep_message("The definition", None), pointer)
        raise ValidationError([loaded.position(diagnostic)], loaded.source_name)
    pointer = non_finite_at(loaded.document)
    if pointer is not None:
        diagnostic = Diagnostic(
            "INVALID_JSON_DESCRIPTION",
            "Not a JSON number: NaN, Infinity and numbers beyond a double's range (such as 1e309) are refused by "
            "AWS's JSON reader",
            pointer,
            suggestion="write a finite number, or the value as a string",
        )
        raise ValidationError([loaded.position(diagnostic)], loaded.source_name)
    return loaded


def _too_deep_text(source_name: str | None) -> ValidationError:
    """JSON or YAML text too deep for its parser (deeper than Python's recursion limit)."""
    return ValidationError([Diagnostic(TOO_DEEP, too_deep_message("The definition", None), None)], source_name)


def read_definition_text(
    text: str, *, source_name: str | None = None, substitutions: Mapping[str, Any] | None = None
) -> LoadedDefinition:
    """Text that *is* the definition (a template's ``DefinitionString``): never taken for a file path.

    Raises ``ValidationError`` when it is not a JSON object or YAML mapping; duplicate keys are in
    ``problems``, as with ``read_definition``.
    """
    return _check_nesting(_parse_text(text, source_name, substitutions))


# -- files ---------------------------------------------------------------------------------------


def _parse_file(path: Path, substitutions: Mapping[str, Any] | None) -> LoadedDefinition:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DefinitionError(f"{path}: is a directory, not a definition file") from None
    except UnicodeDecodeError as error:
        raise DefinitionError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise DefinitionError(f"{path}: cannot read the definition: {error.strerror}") from None
    loaded = _parse_text(text, str(path), substitutions)
    loaded.source_name = str(path)
    return loaded


def _parse_string(text: str, substitutions: Mapping[str, Any] | None) -> LoadedDefinition:
    parsed = _try_parse(text, substitutions)
    if parsed is not None:
        return parsed
    single_line = "\n" not in text.strip()
    if single_line and text.strip() and os.path.isfile(text.strip()):
        return _parse_file(Path(text.strip()), substitutions)
    if single_line and _looks_like_path(text.strip()):
        raise DefinitionError(f"{text.strip()}: no such file")
    return _parse_text(text, None, substitutions)


def _looks_like_path(text: str) -> bool:
    if text.startswith(("{", "[")):
        return False
    return text.lower().endswith(_PATH_SUFFIXES) or "/" in text or os.sep in text


# -- text ----------------------------------------------------------------------------------------


def _try_parse(text: str, substitutions: Mapping[str, Any] | None) -> LoadedDefinition | None:
    """The definition if ``text`` is a JSON object or YAML mapping, else None (no error raised)."""
    try:
        return _parse_text(text, None, substitutions)
    except (ValidationError, DefinitionError):
        return None


def _parse_text(original: str, source_name: str | None, substitutions: Mapping[str, Any] | None) -> LoadedDefinition:
    """Substitute, then parse JSON first (the common case), then YAML; raise ValidationError like AWS would."""
    substituted = substitute_text(original, substitutions)
    text = substituted.text
    if not text.strip():
        raise ValidationError([_not_an_object()], source_name)
    duplicates = _DuplicateRecorder()
    try:
        document = json.loads(text, object_pairs_hook=duplicates.hook)
    except RecursionError:
        raise _too_deep_text(source_name) from None
    except json.JSONDecodeError as json_error:
        stripped = text.lstrip("\ufeff \t\r\n")
        yaml_result = (
            None if stripped.startswith(("{", "[")) and _is_json_like(stripped) else _parse_yaml(text, source_name)
        )
        if yaml_result is not None:
            return yaml_result
        placeholders = substituted.unresolved_outside_strings or (
            unquoted_placeholders(original) if not substitutions else []
        )
        if placeholders:
            raise ValidationError([_unresolved(original, *found) for found in placeholders], source_name) from None
        raise ValidationError([_invalid_json(text, json_error)], source_name) from None
    if not isinstance(document, dict):
        raise ValidationError([_not_an_object()], source_name)
    loaded = LoadedDefinition(document, source_name, text, "json")
    if duplicates.found:
        loaded.problems = [loaded.position(problem) for problem in duplicates.diagnostics(document)]
    return loaded


def _unresolved(text: str, name: str, offset: int) -> Diagnostic:
    line, column = pointers.line_column(text, offset)
    return Diagnostic(
        "UNRESOLVED_SUBSTITUTION",
        f"Definition substitution '{name}' was not supplied: ${{{name}}} stands outside a string, so the "
        "definition is not JSON until it is replaced",
        None,
        line=line,
        column=column,
        suggestion=f"pass substitutions={{'{name}': ...}} or --set {name}=...",
    )


def _is_json_like(text: str) -> bool:
    """Text opening with ``{"`` or ``[`` is JSON gone wrong; YAML would only blur the error."""
    body = text[1:].lstrip()
    return text.startswith("[") or body.startswith(('"', "}"))


def _not_an_object() -> Diagnostic:
    return Diagnostic("SCHEMA_VALIDATION_FAILED", "Definition must be a valid JSON object", None)


def _invalid_json(text: str, error: json.JSONDecodeError) -> Diagnostic:
    """AWS's diagnostic for unparsable text: Jackson's message, and Jackson's source excerpt as location."""
    offset = error.pos
    token = re.match(r"[\w$]*", text[offset:])
    token_text = token.group(0) if token else ""
    if token_text and error.msg == "Expecting value":
        offset += len(token_text)
        line, column = pointers.line_column(text, offset)
        message = (
            f"Unrecognized token '{token_text}': was expecting (JSON String, Number, Array, Object or "
            "token 'null', 'true' or 'false')"
        )
    else:
        line, column = pointers.line_column(text, offset)
        message = _describe_json_error(text, error)
    source = (
        f'(String)"{text}"'
        if len(text) <= _JACKSON_SOURCE_LIMIT
        else (f'(String)"{text[:_JACKSON_SOURCE_LIMIT]}"[truncated {len(text) - _JACKSON_SOURCE_LIMIT} chars]')
    )
    location = f"[Source: {source}; line: {line}, column: {column}]"
    return Diagnostic("INVALID_JSON_DESCRIPTION", f"{message}\n at {location}", location, line=line, column=column)


def _describe_json_error(text: str, error: json.JSONDecodeError) -> str:
    if error.pos >= len(text.rstrip()):
        return f"Unexpected end-of-input: {error.msg.lower()}"
    found = text[error.pos]
    return f"Unexpected character ('{found}' (code {ord(found)})): {error.msg.lower()}"


class _DuplicateRecorder:
    """``object_pairs_hook`` that builds the dict and remembers which objects repeated a key."""

    __slots__ = ("_repeated",)

    def __init__(self) -> None:
        self._repeated: list[tuple[dict[str, Any], list[str]]] = []

    @property
    def found(self) -> bool:
        return bool(self._repeated)

    def hook(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            repeated = []
            for key, _ in pairs:
                if key in seen:
                    repeated.append(key)
                seen.add(key)
            self._repeated.append((result, repeated))
        return result

    def diagnostics(self, document: dict[str, Any]) -> list[Diagnostic]:
        owners = {id(obj): keys for obj, keys in self._repeated}
        found: list[Diagnostic] = []
        for pointer, obj in _walk_objects(document, ""):
            for key in owners.get(id(obj), ()):
                found.append(duplicate_key(pointer, key))
        return found


def duplicate_key(object_pointer: str, key: str) -> Diagnostic:
    """A repeated key: a state name when its object is a ``States`` block, else any field."""
    location = pointers.join(object_pointer, key)
    if _STATES_BLOCK.search(object_pointer):
        return Diagnostic("DUPLICATE_STATE_NAME", f"Duplicate State name: {key}", location)
    return Diagnostic(
        "INVALID_JSON_DESCRIPTION",
        f"Duplicate field '{key}'",
        location,
        suggestion="each field may appear once; the last value would silently win",
    )


def _walk_objects(value: Any, pointer: str) -> Any:
    if isinstance(value, dict):
        yield pointer, value
        for key, item in value.items():
            yield from _walk_objects(item, pointers.join(pointer, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_objects(item, pointers.join(pointer, index))


# -- YAML ----------------------------------------------------------------------------------------


def _parse_yaml(text: str, source_name: str | None) -> LoadedDefinition | None:
    """The definition if ``text`` is a YAML mapping; None if it is not YAML or not a mapping.

    YAML that is a mapping but cannot be a definition (an alias bomb, a tag with no JSON value)
    raises ``ValidationError`` with ``INVALID_YAML`` at its position.
    """
    try:
        root = yaml_reader.compose(text)
    except yaml_reader.YamlTooDeep:
        raise _too_deep_text(source_name) from None
    except yaml_reader.YamlSyntaxError:
        return None
    if root is None or root.id != "mapping":
        return None
    try:
        read = yaml_reader.read(root)
    except RecursionError:
        raise _too_deep_text(source_name) from None
    except yaml_reader.YamlProblem as problem:
        diagnostic = Diagnostic(
            "INVALID_YAML",
            problem.message,
            None,
            line=problem.line,
            column=problem.column,
            suggestion=problem.suggestion,
        )
        raise ValidationError([diagnostic], source_name) from None
    loaded = LoadedDefinition(read.value, None, text, "yaml", _yaml_root=root)
    loaded.problems = [loaded.position(duplicate_key(pointer, key)) for pointer, key in read.duplicates]
    return loaded
