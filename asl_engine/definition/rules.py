"""Rules about single states that JSON Schema cannot express (they need context or arithmetic).

Each rule takes the walked states and yields diagnostics; ``check_rules`` runs them all. Rules
assume nothing about well-formedness beyond what they test themselves: a broken field is the
schema's to report, here it is simply skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from asl_engine.definition import pointers, suggest
from asl_engine.definition.arns import UnknownResourceError, parse_resource
from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.expression_checks import ExpressionChecks
from asl_engine.definition.substitution import unresolved_placeholders
from asl_engine.definition.vocabulary import JSONATA, JSONPATH, is_jsonata_string
from asl_engine.definition.walk import ScopeInfo, StateInfo, all_states

SCHEMA_FAILED = "SCHEMA_VALIDATION_FAILED"
STATES_ALL = "States.ALL"
LAMBDA_TRANSIENT_ERRORS = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
PREDEFINED_ERRORS = (
    "States.ALL",
    "States.DataLimitExceeded",
    "States.ExceedToleratedFailureThreshold",
    "States.HeartbeatTimeout",
    "States.Http.Socket",
    "States.IntrinsicFailure",
    "States.ItemReaderFailed",
    "States.NoChoiceMatched",
    "States.ParameterPathFailure",
    "States.Permissions",
    "States.ResultPathMatchFailure",
    "States.ResultWriterFailed",
    "States.Runtime",
    "States.TaskFailed",
    "States.Timeout",
    "States.QueryEvaluationError",
    "States.BranchFailed",
)
_LABEL_FORBIDDEN = set(' \t\n\r?*<>{}[]:;,\\|^~$#%&`"')
_MAX_LABEL = 40
_MAX_VARIABLE = 80


@dataclass(frozen=True, slots=True)
class RuleContext:
    states: list[StateInfo]
    machine_query_language: Any
    """The top-level ``QueryLanguage`` as written (None when absent)."""
    machine_type: str
    expressions: ExpressionChecks | None = None
    """The expression languages' checks, when the caller supplies them (see ``expression_checks``)."""


Rule = Callable[[RuleContext], Iterator[Diagnostic]]


def check_rules(
    scopes: list[ScopeInfo], machine_type: str, expressions: ExpressionChecks | None = None
) -> list[Diagnostic]:
    context = RuleContext(all_states(scopes), scopes[0].spec.get("QueryLanguage"), machine_type, expressions)
    found: list[Diagnostic] = []
    for rule in RULES:
        found.extend(rule(context))
    return found


# -- query language ------------------------------------------------------------------------------


def query_language_downgrade(context: RuleContext) -> Iterator[Diagnostic]:
    """A JSONata machine may not contain JSONPath states (the reverse is allowed)."""
    if context.machine_query_language != JSONATA:
        return
    for state in context.states:
        if state.fields.get("QueryLanguage") == JSONPATH:
            yield Diagnostic(
                SCHEMA_FAILED,
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                state.pointer,
            )


# -- resources and Express ----------------------------------------------------------------------


def _effective_machine_type(state: StateInfo, machine_type: str) -> str:
    """States in a Distributed Map's processor run as child executions of its ``ExecutionType``."""
    scope: ScopeInfo | None = state.scope
    while scope is not None and scope.owner is not None:
        if scope.kind == "processor":
            config = scope.spec.get("ProcessorConfig")
            if isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED":
                kind = config.get("ExecutionType")
                return kind if kind in ("STANDARD", "EXPRESS") else machine_type
        scope = scope.owner.scope
    return machine_type


def express_restrictions(context: RuleContext) -> Iterator[Diagnostic]:
    for state in context.states:
        if state.type not in ("Task", "Map") or _effective_machine_type(state, context.machine_type) != "EXPRESS":
            continue  # only a Task or a Map can be refused here
        if state.type == "Task" and isinstance(state.fields.get("Resource"), str):
            where = pointers.join(state.pointer, "Resource")
            try:
                resource = parse_resource(state.get("Resource"))
            except UnknownResourceError:
                continue
            if resource.kind == "activity":
                yield Diagnostic(SCHEMA_FAILED, "Express state machine does not support Activity ARN", where)
            elif resource.pattern in ("sync", "sync:2"):
                yield Diagnostic(
                    SCHEMA_FAILED, "Express state machine does not support '.sync' service integration", where
                )
            elif resource.pattern == "wait-for-task-token":
                # AWS's text ends with a space: its full message reads "...integration  at /States/...".
                yield Diagnostic(
                    SCHEMA_FAILED,
                    "Express state machine does not support '.waitForTaskToken' service integration ",
                    where,
                )
        elif state.type == "Map" and _mode(state) == "DISTRIBUTED":
            yield Diagnostic(
                SCHEMA_FAILED,
                "Express state machine does not support Distributed Map state",
                pointers.join(state.pointer, "ItemProcessor", "ProcessorConfig", "Mode"),
                suggestion="use an INLINE Map, or make the state machine STANDARD",
            )


def _mode(state: StateInfo) -> Any:
    processor = state.fields.get("ItemProcessor")
    config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
    return config.get("Mode", "INLINE") if isinstance(config, dict) else "INLINE"


def unresolved_resources(context: RuleContext) -> Iterator[Diagnostic]:
    """A ``${Name}`` left in a Resource: a definition substitution that was not supplied."""
    for state in context.states:
        if state.type not in ("Task", "Map"):
            continue
        candidates: list[tuple[str, ...]] = [("Resource",)] if state.type == "Task" else []
        if state.type == "Map":
            candidates = [("ItemReader", "Resource"), ("ResultWriter", "Resource")]
        for path in candidates:
            value: Any = state.spec
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if not isinstance(value, str):
                continue
            names = unresolved_placeholders(value)
            if names:
                settings = " ".join(f"--set {name}=..." for name in names)
                yield Diagnostic(
                    SCHEMA_FAILED,
                    f"The resource provided {value} is not recognized. The value is not a valid resource ARN, "
                    "or the resource is not available in this region.",
                    pointers.join(state.pointer, *path),
                    suggestion=f"definition substitution {', '.join(repr(n) for n in names)} was not supplied "
                    f"(pass substitutions=... or {settings})",
                )


# -- timeouts -----------------------------------------------------------------------------------


def heartbeat_below_timeout(context: RuleContext) -> Iterator[Diagnostic]:
    for state in context.states:
        if state.type != "Task":
            continue
        timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
        if _is_int(timeout) and _is_int(heartbeat) and heartbeat >= timeout:
            yield Diagnostic(
                SCHEMA_FAILED,
                f"'HeartbeatSeconds' ({heartbeat}) must be smaller than 'TimeoutSeconds' ({timeout})",
                pointers.join(state.pointer, "HeartbeatSeconds"),
            )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- Retry / Catch ------------------------------------------------------------------------------

_HANDLER_FIELDS = ("Retry", "Catch")


def error_handler_order(context: RuleContext) -> Iterator[Diagnostic]:
    """``States.ALL`` must be alone in its ErrorEquals and its retrier/catcher must come last."""
    for state in context.states:
        if state.fields.keys().isdisjoint(_HANDLER_FIELDS):
            continue
        for field, noun in (("Retry", "retrier"), ("Catch", "catcher")):
            handlers = state.fields.get(field)
            if not isinstance(handlers, list):
                continue
            for index, handler in enumerate(handlers):
                errors = handler.get("ErrorEquals") if isinstance(handler, dict) else None
                if not isinstance(errors, list) or STATES_ALL not in errors:
                    continue
                where = pointers.join(state.pointer, field, index)
                if len(errors) > 1:
                    yield Diagnostic(
                        SCHEMA_FAILED,
                        f"'{STATES_ALL}' must appear alone in 'ErrorEquals'",
                        pointers.join(where, "ErrorEquals"),
                    )
                if index != len(handlers) - 1:
                    yield Diagnostic(
                        SCHEMA_FAILED,
                        f"A {noun} with '{STATES_ALL}' must be the last {noun}",
                        where,
                        suggestion=f"move it after the other {noun}s: later ones can never match",
                    )


def unknown_predefined_errors(context: RuleContext) -> Iterator[Diagnostic]:
    """``States.*`` names are reserved: an unknown one is a typo that can never match, unless the
    definition raises it itself (a Fail state's ``Error``, a computed error, a task's own errors)."""
    can_raise = _raisable_errors(context.states)
    for state in context.states:
        if state.fields.keys().isdisjoint(_HANDLER_FIELDS):
            continue
        for field in ("Retry", "Catch"):
            handlers = state.fields.get(field)
            if not isinstance(handlers, list):
                continue
            for index, handler in enumerate(handlers):
                errors = handler.get("ErrorEquals") if isinstance(handler, dict) else None
                for position, name in enumerate(errors if isinstance(errors, list) else []):
                    if (
                        isinstance(name, str)
                        and name.startswith("States.")
                        and name not in PREDEFINED_ERRORS
                        and not can_raise(name)
                    ):
                        yield Diagnostic(
                            "UNKNOWN_ERROR_NAME",
                            f"'{name}' is not a predefined error name and can never match",
                            pointers.join(state.pointer, field, index, "ErrorEquals", position),
                            "WARNING",
                            suggestion=suggest.did_you_mean(name, PREDEFINED_ERRORS),
                        )


_HTTP_STATUS_ERROR = re.compile(r"States\.Http\.StatusCode\.\d{3}")


def _raisable_errors(states: list[StateInfo]) -> Callable[[str], bool]:
    """Which error names the definition itself can raise.

    A Fail state raises its literal ``Error``; one whose error is computed (``ErrorPath``, a JSONata
    expression) may raise any name. An HTTP Task raises ``States.Http.StatusCode.<code>`` for an
    unsuccessful response.
    """
    names: set[str] = set()
    http_task = False
    for state in states:
        if state.type == "Fail":
            error = state.fields.get("Error")
            if "ErrorPath" in state.spec or (state.query_language == JSONATA and is_jsonata_string(error)):
                return lambda name: True
            if isinstance(error, str):
                names.add(error)
        elif state.type == "Task" and not http_task:
            http_task = _is_http_task(state.fields.get("Resource"))
    return lambda name: name in names or (http_task and _HTTP_STATUS_ERROR.fullmatch(name) is not None)


def _is_http_task(resource: Any) -> bool:
    if not isinstance(resource, str):
        return False
    try:
        parsed = parse_resource(resource)
    except UnknownResourceError:
        return False
    return parsed.kind == "service" and parsed.service == "http"


def lambda_without_retry(context: RuleContext) -> Iterator[Diagnostic]:
    """AWS recommends retrying Lambda's transient service errors. Advice, not a warning: a third of
    real definitions skip it (often on purpose: idempotency, an outer retry), so it is opt-in."""
    for state in context.states:
        if state.type != "Task" or not _is_lambda(state.fields.get("Resource")):
            continue
        covered: set[str] = set()
        retry = state.fields.get("Retry")
        for retrier in retry if isinstance(retry, list) else []:
            if not isinstance(retrier, dict) or retrier.get("MaxAttempts") == 0:
                continue
            names = retrier.get("ErrorEquals")
            names = names if isinstance(names, list) else []
            if STATES_ALL in names or "States.TaskFailed" in names:
                covered.update(LAMBDA_TRANSIENT_ERRORS)
            covered.update(name for name in names if isinstance(name, str))
        missing = [name for name in LAMBDA_TRANSIENT_ERRORS if name not in covered]
        if missing:
            yield Diagnostic(
                "LAMBDA_WITHOUT_RETRY",
                f"Task '{state.name}' invokes Lambda without retrying its transient errors: {', '.join(missing)}",
                state.pointer,
                "ADVICE",
                suggestion='add a retrier such as {"ErrorEquals": ["'
                + '", "'.join(missing)
                + '"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}',
            )


def _is_lambda(resource: Any) -> bool:
    if not isinstance(resource, str):
        return False
    try:
        parsed = parse_resource(resource)
    except UnknownResourceError:
        return False
    return parsed.kind == "lambda-function" or (
        parsed.kind == "service" and parsed.service == "lambda" and parsed.action == "invoke"
    )


# -- Choice -------------------------------------------------------------------------------------


def choice_without_default(context: RuleContext) -> Iterator[Diagnostic]:
    for state in context.states:
        if state.type == "Choice" and "Default" not in state.spec:
            yield Diagnostic(
                "CHOICE_WITHOUT_DEFAULT",
                f"Choice state '{state.name}' has no 'Default': when no rule matches, the execution fails "
                "with States.NoChoiceMatched",
                state.pointer,
                "WARNING",
                suggestion='add "Default" naming the state to run when no rule matches',
            )


# -- variables ----------------------------------------------------------------------------------


_ASSIGNING_FIELDS = ("Assign", "Choices", "Catch")
"""Where ``_assign_blocks`` looks: a state with none of them assigns nothing (most states)."""


def _assign_blocks(state: StateInfo) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, Assign object) for the state, its top-level Choice rules and its catchers."""
    assign = state.fields.get("Assign")
    if isinstance(assign, dict):
        yield pointers.join(state.pointer, "Assign"), assign
    for field in ("Choices", "Catch"):
        items = state.fields.get(field)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("Assign"), dict):
                yield pointers.join(state.pointer, field, index, "Assign"), item["Assign"]


def _variable_name(key: str, query_language: str) -> str:
    return key[:-2] if query_language == JSONPATH and key.endswith(".$") else key


def variable_names(context: RuleContext) -> Iterator[Diagnostic]:
    """Assigned names: Unicode identifiers of at most 80 characters, never the reserved ``states``."""
    for state in context.states:
        if state.fields.keys().isdisjoint(_ASSIGNING_FIELDS):
            continue
        for where, block in _assign_blocks(state):
            for key in block:
                name = _variable_name(key, state.query_language)
                if name == "states":
                    yield Diagnostic(
                        SCHEMA_FAILED,
                        "The variable name 'states' is reserved",
                        pointers.join(where, key),
                        suggestion="choose another name; $states holds the input, result and context",
                    )
                elif not name.isidentifier():
                    yield Diagnostic(
                        SCHEMA_FAILED,
                        f"Invalid variable name '{name}': it must start with a letter or '_' and "
                        "contain only letters, digits and '_'",
                        pointers.join(where, key),
                    )
                elif len(name) > _MAX_VARIABLE:
                    yield Diagnostic(
                        SCHEMA_FAILED,
                        f"Variable name '{name[:20]}...' is longer than {_MAX_VARIABLE} characters",
                        pointers.join(where, key),
                    )


def _assigned_names(scope: ScopeInfo) -> dict[str, str]:
    """Variable name -> pointer of its first assignment, for the states directly in ``scope``."""
    names: dict[str, str] = {}
    for state in scope.states:
        for where, block in _assign_blocks(state):
            for key in block:
                names.setdefault(_variable_name(key, state.query_language), pointers.join(where, key))
    return names


def shadowed_outer_variables(context: RuleContext) -> Iterator[Diagnostic]:
    """Inside a Parallel branch or Map iteration, assigning a name an outer scope assigns is a mistake:
    the spec forbids it, and the value would not be visible outside the branch anyway."""
    cache: dict[int, dict[str, str]] = {}
    for state in context.states:
        scope = state.scope
        if scope is None or scope.owner is None:
            continue
        outer_names: dict[str, str] = {}
        outer: ScopeInfo | None = scope.owner.scope
        while outer is not None:
            names = cache.setdefault(id(outer), _assigned_names(outer))
            for name, where in names.items():
                outer_names.setdefault(name, where)
            if outer.owner is not None and _is_distributed_processor(outer):
                break  # a Distributed Map's children cannot see further out
            outer = outer.owner.scope if outer.owner is not None else None
        if _is_distributed_processor(scope):
            continue
        for where, block in _assign_blocks(state):
            for key in block:
                name = _variable_name(key, state.query_language)
                if name in outer_names:
                    yield Diagnostic(
                        "VARIABLE_ASSIGNED_IN_OUTER_SCOPE",
                        f"The variable '{name}' is also assigned in an enclosing scope ({outer_names[name]}): an "
                        f"assignment inside {scope.describe()} is not visible outside it",
                        pointers.join(where, key),
                        "WARNING",
                        suggestion="use a different name, and return the value through the state's output",
                    )


def _is_distributed_processor(scope: ScopeInfo) -> bool:
    owner = scope.owner
    if owner is None or owner.type != "Map":
        return False
    processor = owner.get("ItemProcessor") or owner.get("Iterator")
    config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
    return isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"


_TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Assign")


def _dynamic_values(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """(pointer, text) of every ``key.$`` string value in a payload template, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            child = pointers.join(where, key)
            if isinstance(key, str) and key.endswith(".$") and isinstance(item, str):
                yield child, item
            else:
                yield from _dynamic_values(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _dynamic_values(item, pointers.join(where, index))


def intrinsic_calls_that_fail_at_run_time(context: RuleContext) -> Iterator[Diagnostic]:
    """Calls AWS accepts in a definition but that always fail when they run (e.g. a wrong argument
    count): the execution would end with States.Runtime."""
    expressions = context.expressions
    if expressions is None:
        return
    for state in context.states:
        if state.query_language != JSONPATH:
            continue
        blocks = [(pointers.join(state.pointer, field), state.fields.get(field)) for field in _TEMPLATE_FIELDS]
        blocks.extend(_assign_blocks(state))
        seen: set[str] = set()
        for base, block in blocks:
            for where, text in _dynamic_values(block, base):
                if where in seen:
                    continue
                seen.add(where)
                for warning in expressions.intrinsic_warnings(text):
                    yield Diagnostic("INTRINSIC_FAILS_AT_RUN_TIME", warning, where, "WARNING")


# -- Map labels ---------------------------------------------------------------------------------


def map_labels(context: RuleContext) -> Iterator[Diagnostic]:
    seen: dict[str, str] = {}
    for state in context.states:
        label = state.fields.get("Label") if state.type == "Map" else None
        if not isinstance(label, str):
            continue
        where = pointers.join(state.pointer, "Label")
        if not label:
            yield Diagnostic("INVALID_LABEL_NAME", "Label cannot be empty", where)
        elif len(label) > _MAX_LABEL:
            yield Diagnostic("INVALID_LABEL_NAME", f"Label cannot exceed {_MAX_LABEL} characters", where)
        elif any(char in _LABEL_FORBIDDEN or ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in label):
            bad = next(
                char for char in label if char in _LABEL_FORBIDDEN or ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F
            )
            yield Diagnostic(
                "INVALID_LABEL_NAME",
                "Label contains invalid character",
                where,
                suggestion=f"remove {bad!r}: labels may not contain whitespace, wildcards, brackets "
                'or the characters : ; , \\ | ^ ~ $ # % & ` "',
            )
        elif label in seen:
            yield Diagnostic("DUPLICATE_LABEL_NAME", f"Duplicate Label: {label} (also used at {seen[label]})", where)
        else:
            seen[label] = where


# -- Distributed Map ----------------------------------------------------------------------------


def items_beside_item_reader(context: RuleContext) -> Iterator[Diagnostic]:
    """AWS accepts ``ItemsPath``/``Items`` beside an ``ItemReader`` and then ignores them (recorded:
    a path that matches nothing still succeeds, ``$[0]`` does not unwrap): almost surely a mistake."""
    for state in context.states:
        if state.type != "Map" or not isinstance(state.spec.get("ItemReader"), dict):
            continue
        for field in ("ItemsPath", "Items"):
            if field in state.spec:
                yield Diagnostic(
                    "ITEMS_IGNORED_WITH_ITEM_READER",
                    f"Map state '{state.name}' reads its items with an ItemReader, so its '{field}' is ignored",
                    pointers.join(state.pointer, field),
                    "WARNING",
                    suggestion=f"remove '{field}', or select the items inside the ItemReader's data "
                    "(ReaderConfig, or a JSON file that holds just the array)",
                )


RULES: tuple[Rule, ...] = (
    query_language_downgrade,
    express_restrictions,
    unresolved_resources,
    heartbeat_below_timeout,
    error_handler_order,
    unknown_predefined_errors,
    variable_names,
    shadowed_outer_variables,
    intrinsic_calls_that_fail_at_run_time,
    map_labels,
    choice_without_default,
    lambda_without_retry,
    items_beside_item_reader,
)
