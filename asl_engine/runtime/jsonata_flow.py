"""JSONata states: ``Arguments``, ``Output``, ``Assign`` and every field that may hold ``{% %}``.

In a JSONata state each of those fields is a JSON template whose strings delimited by ``{%`` and
``%}`` are expressions. They see ``$states`` (``input``, ``context``, and where allowed ``result``
or ``errorOutput``) and the workflow variables; ``Assign`` and ``Output`` of one state are
evaluated side by side, both against the variable values the state started with.

Every failure is a ``States.QueryEvaluationError`` with AWS's cause text, preceded in history by
an ``EvaluationFailed`` event naming the field (``Output/result``, ``Items``, ``Arguments``...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from asl_engine.definition.vocabulary import is_jsonata_string
from asl_engine.errors import StatesError
from asl_engine.language.errors import ExpressionSyntaxError
from asl_engine.language.jsonata_expr import (
    UNDEFINED,
    CompiledExpression,
    DeadlineReached,
    JsonataError,
    UnsupportedResult,
    compile_jsonata_string,
)
from asl_engine.language.jsonata_tokens import top_level_context_references
from asl_engine.language.timestamps import parse_timestamp
from asl_engine.runtime import failures
from asl_engine.runtime.states.base import CompileError

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame

_RESERVED = "states"


def _js_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def evaluation_failure(frame: Frame, location: str | None, message: str) -> StatesError:
    """Record ``EvaluationFailed`` (linked like AWS: to the state's own cause) and build the error."""
    cause = failures.state_prefix(frame) + message
    error = failures.EvaluationFailure(failures.QUERY_EVALUATION, cause, location)
    details: dict[str, Any] = {"error": error.error, "cause": cause, "state": frame.state_name}
    if location is not None:
        details["location"] = location
    frame.last_event_id = frame.record_aside("EvaluationFailed", details, cause=frame.state_cause_id)
    return error


class StatesBinding:
    """Builds ``$states`` for one evaluation; the context object only when an expression uses it."""

    __slots__ = ("error_output", "input", "result")

    def __init__(self, raw_input: Any, result: Any = UNDEFINED, error_output: Any = UNDEFINED) -> None:
        self.input = raw_input
        self.result = result
        self.error_output = error_output

    def build(self, frame: Frame, with_context: bool) -> dict[str, Any]:
        states: dict[str, Any] = {"input": self.input}
        if self.result is not UNDEFINED:
            states["result"] = self.result
        if self.error_output is not UNDEFINED:
            states["errorOutput"] = self.error_output
        if with_context:
            states["context"] = frame.context_object()
        return states


class Expression:
    """One compiled ``{% %}`` string together with the field location AWS reports for it."""

    __slots__ = ("compiled", "location", "uses_context")

    def __init__(self, text: str, location: str, pointer: str, allowed: frozenset[str] = frozenset()) -> None:
        try:
            self.compiled: CompiledExpression = compile_jsonata_string(text)
        except ExpressionSyntaxError as error:
            raise CompileError(pointer, error.message) from None
        _check_states_members(self.compiled.text, location, pointer, allowed)
        _check_no_input_document(self.compiled.text, location, pointer)
        self.location = location
        self.uses_context = "context" in self.compiled.text

    def evaluate(self, frame: Frame, states: StatesBinding) -> Any:
        """The value (never UNDEFINED: a field that yields nothing is an error, as on AWS)."""
        value = self.evaluate_raw(frame, states)
        if value is UNDEFINED:
            raise evaluation_failure(frame, self.location, f"{self._subject()} returned nothing (undefined).")
        return value

    def evaluate_raw(self, frame: Frame, states: StatesBinding) -> Any:
        compiled = self.compiled
        bindings: dict[str, Any] = {}
        for name in compiled.variables:
            if name == _RESERVED:
                bindings[_RESERVED] = states.build(frame, self.uses_context)
            else:
                try:
                    bindings[name] = frame.variables.lookup(name)
                except KeyError:
                    continue
        try:
            return compiled.evaluate(bindings, frame)
        except DeadlineReached:
            raise frame.run.timed_out() from None
        except JsonataError as error:
            raise evaluation_failure(
                frame, self.location, f"{self._subject()} threw an error during evaluation. {error.description}"
            ) from None
        except UnsupportedResult:
            raise evaluation_failure(
                frame, self.location, f"{self._subject()} returned an unsupported result type."
            ) from None

    def expect(self, frame: Frame, value: Any, expected: str) -> Any:
        """Fail with AWS's "unexpected result type" message unless ``value`` has the JS type ``expected``."""
        if _js_type(value) != expected:
            raise evaluation_failure(
                frame,
                self.location,
                f"{self._subject()} returned an unexpected result type. Expected '{expected}', but was "
                f"'{_js_type(value)}' for value: {_compact(value)}",
            )
        return value

    def _subject(self) -> str:
        return f"The JSONata expression '{self.compiled.text}' specified for the field '{self.location}'"


# ``$states.result`` and ``$states.errorOutput`` exist only in some fields; AWS rejects other uses
# when the definition is created.
_STATES_MEMBER = re.compile(r"\$states\s*\.\s*(result|errorOutput)\b")
_WHERE_ALLOWED = {
    "result": "the Output and Assign of Task, Map and Parallel states",
    "errorOutput": "the Output and Assign of a Catcher",
}
RESULT: Final = frozenset({"result"})
ERROR_OUTPUT: Final = frozenset({"errorOutput"})


def _check_states_members(text: str, location: str, pointer: str, allowed: frozenset[str]) -> None:
    for match in _STATES_MEMBER.finditer(text):
        member = match.group(1)
        if member not in allowed:
            raise CompileError(
                pointer,
                f"The JSONata expression '{text}' specified for the field '{location}' uses $states.{member}, "
                f"which is only available in {_WHERE_ALLOWED[member]}",
            )


def _check_no_input_document(text: str, location: str, pointer: str) -> None:
    for token in top_level_context_references(text):
        raise CompileError(
            pointer,
            f"The JSONata expression '{text}' specified for the field '{location}' references '{token}' at the "
            "top level, where there is no input document: use $states.input (or $states.context)",
        )


class JsonataTemplate:
    """A JSON value whose ``{% %}`` strings, at any depth, are expressions."""

    __slots__ = ("constant", "evaluate_node", "source")

    def __init__(self, source: Any, location: str, pointer: str, allowed: frozenset[str] = frozenset()) -> None:
        self.source = source
        node = _compile_node(source, location, pointer, allowed)
        self.constant = node is None
        self.evaluate_node: Callable[[Frame, StatesBinding], Any] | None = node

    def evaluate(self, frame: Frame, states: StatesBinding) -> Any:
        if self.evaluate_node is None:
            return self.source
        return self.evaluate_node(frame, states)


def _compile_node(
    value: Any, location: str, pointer: str, allowed: frozenset[str] = frozenset()
) -> Callable[[Frame, StatesBinding], Any] | None:
    if is_jsonata_string(value):
        expression = Expression(value, location, pointer, allowed)
        return expression.evaluate
    if isinstance(value, dict):
        entries = [
            (key, _compile_node(item, f"{location}/{key}", f"{pointer}/{_escape(key)}", allowed), item)
            for key, item in value.items()
        ]
        if all(node is None for _, node, _ in entries):
            return None

        def build_object(frame: Frame, states: StatesBinding) -> dict[str, Any]:
            return {key: item if node is None else node(frame, states) for key, node, item in entries}

        return build_object
    if isinstance(value, list):
        items = [
            (_compile_node(item, f"{location}[{index}]", f"{pointer}/{index}", allowed), item)
            for index, item in enumerate(value)
        ]
        if all(node is None for node, _ in items):
            return None

        def build_array(frame: Frame, states: StatesBinding) -> list[Any]:
            return [item if node is None else node(frame, states) for node, item in items]

        return build_array
    return None


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def compile_optional(
    spec: dict[str, Any], field: str, pointer: str, location: str | None = None, allowed: frozenset[str] = frozenset()
) -> JsonataTemplate | None:
    if field not in spec:
        return None
    return JsonataTemplate(spec[field], location or field, f"{pointer}/{field}", allowed)


class JsonataAssign:
    """``Assign`` in a JSONata state: variable name -> JSON template."""

    __slots__ = ("template",)

    def __init__(
        self, spec: dict[str, Any], pointer: str, location: str = "Assign", allowed: frozenset[str] = frozenset()
    ) -> None:
        value = spec["Assign"]
        if not isinstance(value, dict):
            raise CompileError(f"{pointer}/Assign", "'Assign' must be a JSON object")
        self.template = JsonataTemplate(value, location, f"{pointer}/Assign", allowed)

    @classmethod
    def from_spec(
        cls, spec: dict[str, Any], pointer: str, location: str = "Assign", allowed: frozenset[str] = frozenset()
    ) -> JsonataAssign | None:
        return cls(spec, pointer, location, allowed) if "Assign" in spec else None

    def evaluate(self, frame: Frame, states: StatesBinding) -> dict[str, Any]:
        assigned: dict[str, Any] = self.template.evaluate(frame, states)
        return assigned


class JsonataFlow:
    """The data flow of one JSONata state."""

    __slots__ = ("arguments", "assign", "output", "passes_input", "uses_result")

    def __init__(self, spec: dict[str, Any], pointer: str, *, has_arguments: bool, uses_result: bool) -> None:
        allowed = RESULT if uses_result else frozenset()
        self.arguments = compile_optional(spec, "Arguments", pointer) if has_arguments else None
        self.output = compile_optional(spec, "Output", pointer, allowed=allowed)
        self.assign = JsonataAssign.from_spec(spec, pointer, allowed=allowed)
        self.uses_result = uses_result
        self.passes_input = self.arguments is None

    def selected_input(self, frame: Frame, raw_input: Any) -> Any:
        return raw_input

    def effective_input(self, frame: Frame, raw_input: Any) -> Any:
        if self.arguments is None:
            return raw_input
        return self.arguments.evaluate(frame, StatesBinding(raw_input))

    def finish(self, frame: Frame, raw_input: Any, result: Any) -> tuple[Any, dict[str, Any] | None]:
        states = StatesBinding(raw_input, result if self.uses_result else UNDEFINED)
        assigned = self.assign.evaluate(frame, states) if self.assign is not None else None
        if self.output is not None:
            output = self.output.evaluate(frame, states)
        else:
            output = result if self.uses_result else raw_input
        return output, assigned


class JsonataCatcherFlow:
    """A Catcher of a JSONata state: ``Output`` (default: the error output) and ``Assign``."""

    __slots__ = ("assign", "output")

    def __init__(self, spec: dict[str, Any], pointer: str) -> None:
        self.output = compile_optional(spec, "Output", pointer, allowed=ERROR_OUTPUT)
        self.assign = JsonataAssign.from_spec(spec, pointer, allowed=ERROR_OUTPUT)

    def catch_output(
        self, frame: Frame, raw_input: Any, error_output: dict[str, Any]
    ) -> tuple[Any, dict[str, Any] | None]:
        states = StatesBinding(raw_input, error_output=error_output)
        assigned = self.assign.evaluate(frame, states) if self.assign is not None else None
        output = self.output.evaluate(frame, states) if self.output is not None else error_output
        return output, assigned


class JsonataChoiceBranch:
    """A JSONata Choice rule: ``Condition``, and its own ``Output``/``Assign`` when taken."""

    __slots__ = ("assign", "condition", "literal", "next_state", "output")

    def __init__(self, rule: Any, pointer: str, location: str) -> None:
        if not isinstance(rule, dict) or not isinstance(rule.get("Next"), str):
            raise CompileError(pointer, "A Choice Rule needs a 'Next' state name")
        if "Condition" not in rule:
            raise CompileError(pointer, "A JSONata Choice Rule needs a 'Condition'")
        condition = rule["Condition"]
        self.literal: bool | None = None
        self.condition: Expression | None = None
        if isinstance(condition, bool):
            self.literal = condition
        elif is_jsonata_string(condition):
            self.condition = Expression(condition, f"{location}/Condition", f"{pointer}/Condition")
        else:
            raise CompileError(f"{pointer}/Condition", "'Condition' must be a boolean or a JSONata expression")
        self.next_state: str = rule["Next"]
        self.output = compile_optional(rule, "Output", pointer, f"{location}/Output")
        self.assign = JsonataAssign.from_spec(rule, pointer, f"{location}/Assign")

    def matches(self, frame: Frame, raw_input: Any, data: Any) -> bool:
        if self.condition is None:
            return bool(self.literal)
        value = self.condition.evaluate(frame, StatesBinding(raw_input))
        return bool(self.condition.expect(frame, value, "boolean"))

    def finish(self, frame: Frame, raw_input: Any, data: Any, flow: Any) -> tuple[Any, dict[str, Any] | None]:
        states = StatesBinding(raw_input)
        assigned = self.assign.evaluate(frame, states) if self.assign is not None else None
        output = self.output.evaluate(frame, states) if self.output is not None else raw_input
        return output, assigned


# -- scalar fields that may be expressions ----------------------------------------------------------------


class ScalarField:
    """A field such as ``TimeoutSeconds`` or ``MaxConcurrency``: a literal or one expression."""

    __slots__ = ("expression", "field", "literal")

    def __init__(self, spec: dict[str, Any], field: str, pointer: str) -> None:
        self.field = field
        value = spec.get(field)
        self.expression = (
            Expression(value, field, f"{pointer}/{field}")
            if isinstance(value, str) and is_jsonata_string(value)
            else None
        )
        self.literal = None if self.expression is not None else value

    def value(self, frame: Frame, raw_input: Any) -> Any:
        if self.expression is None:
            return self.literal
        return self.expression.evaluate(frame, StatesBinding(raw_input))

    def fail(self, frame: Frame, message: str) -> StatesError:
        return evaluation_failure(frame, self.field, message)


def number_source(
    spec: dict[str, Any], field: str, pointer: str, *, integer: bool, minimum: float = 0, positive: bool = False
) -> Callable[[Frame, Any, Any], Any]:
    if field not in spec:
        return lambda frame, raw, selected: None
    source = ScalarField(spec, field, pointer)
    if source.expression is None:
        literal = source.literal
        if isinstance(literal, bool) or not isinstance(literal, int | float):
            raise CompileError(f"{pointer}/{field}", f"'{field}' must be a number or a JSONata expression")
    kind = "integer" if integer else "number"

    def read(frame: Frame, raw: Any, selected: Any) -> Any:
        value = source.value(frame, raw)
        ok = not isinstance(value, bool) and isinstance(value, int | float)
        if ok and integer and isinstance(value, float):
            ok = value.is_integer()
            value = int(value) if ok else value
        if ok and (value < minimum or (positive and value <= 0)):
            ok = False
        if not ok:
            expression = source.expression
            subject = (
                f"The JSONata expression '{expression.compiled.text}' specified for the field '{field}'"
                if expression
                else f"The field '{field}'"
            )
            raise source.fail(
                frame,
                f"{subject} returned an unexpected result type. Expected "
                f"'{'positive ' if positive else ''}{kind}', but was '{_js_type(value)}' for "
                f"value: {_compact(value)}",
            )
        return value

    return read


def wait_source(spec: dict[str, Any], pointer: str) -> Callable[[Frame, Any, Any], float]:
    if "Seconds" in spec:
        seconds = number_source(spec, "Seconds", pointer, integer=True)
        return lambda frame, raw, selected: frame.entered_time + seconds(frame, raw, selected)
    if "Timestamp" in spec:
        source = ScalarField(spec, "Timestamp", pointer)
        if source.expression is None and parse_timestamp(source.literal) is None:
            raise CompileError(f"{pointer}/Timestamp", "String does not match RFC3339 timestamp")

        def until(frame: Frame, raw: Any, selected: Any) -> float:
            value = source.value(frame, raw)
            instant = parse_timestamp(value)
            if instant is None:
                shown = value if isinstance(value, str) else _compact(value)
                raise source.fail(
                    frame,
                    "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: "
                    f"{shown}",
                )
            return instant.epoch

        return until
    raise CompileError(pointer, "A JSONata Wait state needs 'Seconds' or 'Timestamp'")


def text_source(spec: dict[str, Any], field: str, pointer: str) -> Callable[[Frame, Any], str | None] | None:
    """A Fail state's ``Error``/``Cause``: a literal or an expression yielding a string."""
    if field not in spec:
        return None
    source = ScalarField(spec, field, pointer)
    if source.expression is None:
        literal = source.literal
        if not isinstance(literal, str):
            raise CompileError(f"{pointer}/{field}", f"'{field}' must be a string")
        return lambda frame, raw: literal
    expression = source.expression

    def read(frame: Frame, raw: Any) -> str:
        value = expression.evaluate(frame, StatesBinding(raw))
        return str(expression.expect(frame, value, "string"))

    return read


def items_source(spec: dict[str, Any], pointer: str) -> Callable[[Frame, Any, Any], list[Any]]:
    """Map ``Items``: an array (elements may be expressions) or an expression yielding an array."""
    if "Items" not in spec:

        def state_input(frame: Frame, raw: Any, selected: Any) -> list[Any]:
            if not isinstance(raw, list):
                raise evaluation_failure(frame, None, f"Map state input must be an array but was: {_compact(raw)}")
            return raw

        return state_input
    value = spec["Items"]
    if is_jsonata_string(value):
        expression = Expression(value, "Items", f"{pointer}/Items")

        def evaluated(frame: Frame, raw: Any, selected: Any) -> list[Any]:
            items = expression.evaluate(frame, StatesBinding(raw))
            return expression.expect(frame, items, "array")  # type: ignore[no-any-return]

        return evaluated
    if not isinstance(value, list):
        raise CompileError(f"{pointer}/Items", "'Items' must be a JSON array or a JSONata expression")
    template = JsonataTemplate(value, "Items", f"{pointer}/Items")
    return lambda frame, raw, selected: template.evaluate(frame, StatesBinding(raw))


def item_selector(spec: dict[str, Any], pointer: str) -> Callable[[Frame, Any, Any], Any] | None:
    template = compile_optional(spec, "ItemSelector", pointer)
    if template is None:
        return None
    return lambda frame, raw, selected: template.evaluate(frame, StatesBinding(raw))
