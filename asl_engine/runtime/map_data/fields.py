"""The fields of ItemReader, ItemBatcher and ResultWriter, compiled once for the state's query language.

Each compiles to a function ``(frame, raw input, selected input) -> value``: JSONPath payload
templates (``Parameters``, ``BatchInput``) see the input after ``InputPath``; JSONata fields
(``Arguments``, ``{% %}`` values) see ``$states.input``. Counts (``MaxItems``,
``MaxItemsPerBatch``, ``MaxInputBytesPerBatch``) are a literal, a ``*Path`` (JSONPath) or an
expression (JSONata).

A ``*Path`` may point at a number or at numeric text (``runtime.path_numbers``): AWS accepted
``"2"`` from a variable for ``MaxItemsPath`` (recorded); anything else fails the execution with
``States.Runtime`` "The MaxItemsPath field refers to value "1.5" which is not a valid integer:
$.MaxItems" (recorded).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from asl_engine.definition.vocabulary import JSONATA
from asl_engine.language.errors import EvaluationError, PathNotFoundError
from asl_engine.runtime import failures, jsonata_flow
from asl_engine.runtime.dataflow import compile_optional_path, compile_optional_template
from asl_engine.runtime.path_numbers import integer_value, shown
from asl_engine.runtime.states.base import CompileError

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame

FieldSource = Callable[["Frame", Any, Any], Any]
"""(frame, raw input, selected input) -> the field's value at run time."""


def absent(frame: Frame, raw: Any, selected: Any) -> None:
    return None


def payload_source(spec: dict[str, Any], pointer: str, query_language: str, location: str) -> FieldSource | None:
    """``Parameters`` (JSONPath) or ``Arguments`` (JSONata) of a reader or writer; None when absent."""
    if query_language == JSONATA:
        if "Parameters" in spec:
            raise CompileError(f"{pointer}/Parameters", "JSONata states use 'Arguments', not 'Parameters'")
        template = jsonata_flow.compile_optional(spec, "Arguments", pointer, location=f"{location}/Arguments")
        if template is None:
            return None
        evaluate_jsonata = template.evaluate
        return lambda frame, raw, selected: evaluate_jsonata(frame, jsonata_flow.StatesBinding(raw))
    if "Arguments" in spec:
        raise CompileError(f"{pointer}/Arguments", "JSONPath states use 'Parameters', not 'Arguments'")
    return template_source(spec, "Parameters", pointer)


def template_source(spec: dict[str, Any], field: str, pointer: str, *, any_value: bool = False) -> FieldSource | None:
    """A JSONPath payload template evaluated against the selected input (``any_value``: see
    ``compile_optional_template``)."""
    template = compile_optional_template(spec, field, pointer, any_value=any_value)
    if template is None:
        return None
    evaluate = template.evaluate

    def build(frame: Frame, raw: Any, selected: Any) -> Any:
        try:
            return evaluate(selected, frame)
        except PathNotFoundError as error:
            raise failures.from_path(frame, error) from None
        except EvaluationError as error:
            raise failures.from_evaluation(frame, error) from None

    return build


def value_source(spec: dict[str, Any], field: str, pointer: str, query_language: str, location: str) -> FieldSource:
    """A JSON value that JSONata states may compute (``BatchInput``); JSONPath treats it as a template."""
    if field not in spec:
        return absent
    if query_language == JSONATA:
        template = jsonata_flow.JsonataTemplate(spec[field], location, f"{pointer}/{field}")
        return lambda frame, raw, selected: template.evaluate(frame, jsonata_flow.StatesBinding(raw))
    source = template_source(spec, field, pointer, any_value=True)
    return source if source is not None else absent


def count_source(spec: dict[str, Any], field: str, pointer: str, query_language: str) -> FieldSource:
    """``Field`` as an integer: a literal, ``FieldPath`` (JSONPath) or an expression (JSONata); else None."""
    if query_language == JSONATA:
        if f"{field}Path" in spec:
            raise CompileError(f"{pointer}/{field}Path", f"JSONata states give '{field}' as a value or expression")
        return jsonata_flow.number_source(spec, field, pointer, integer=True, minimum=-(2**63))
    if field in spec:
        literal = spec[field]
        if isinstance(literal, bool) or not isinstance(literal, int):
            raise CompileError(f"{pointer}/{field}", f"'{field}' must be an integer")
        return lambda frame, raw, selected: literal
    path_field = f"{field}Path"
    if path_field not in spec:
        return absent
    path = compile_optional_path(spec, path_field, pointer, reference=True)
    if path is None:
        raise CompileError(f"{pointer}/{path_field}", f"'{path_field}' must be a reference path")

    def from_path(frame: Frame, raw: Any, selected: Any) -> int:
        try:
            value = path.get(selected, frame)
        except PathNotFoundError as error:
            raise failures.from_path(frame, error) from None
        number = integer_value(value)
        if number is None:
            raise failures.runtime_error(
                frame,
                f'The {path_field} field refers to value "{shown(value)}" which is not a valid integer: {path.text}',
            )
        return number

    return from_path
