"""Deep, huge and malformed documents: a clear error or a result, never a traceback, at Python's
default recursion limit; and output that always prints as JSON.

The issue's probes: input nested 10,000 deep (``asl run`` crashed with RecursionError, exit 1);
``Parameters``, JSONata ``Output`` or ``Assign`` nested 5,000 deep (``validate()`` said
INTERNAL_ERROR); a Choice with 5,000 nested ``Not`` (``validate()`` raised); a deep ``Result`` dict
(``execute`` raised); a lone surrogate in the input (printing failed, ``-o`` left a 0-byte file);
``1e309``/``NaN`` in a definition (``asl run`` printed ``Infinity``); invalid UTF-8 on stdin.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asl_engine import InvalidExecutionInput, StateMachine, ValidationError, validate
from asl_engine.cli.main import cli
from asl_engine.definition.nesting import MAX_NESTING_DEPTH, TOO_DEEP, text_too_deep, too_deep_at
from asl_engine.errors import AslEngineError

DEFAULT_RECURSION_LIMIT = 1000


def test_the_engine_leaves_the_recursion_limit_alone() -> None:
    """jsonata-python raises it to 10,000 on import; asl_engine puts the host's back."""
    assert sys.getrecursionlimit() == DEFAULT_RECURSION_LIMIT


def _nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def _not_chain(depth: int) -> dict[str, Any]:
    rule: dict[str, Any] = {"Variable": "$.a", "IsPresent": True}
    for _ in range(depth):
        rule = {"Not": rule}
    return rule


def _deep_definitions(depth: int) -> dict[str, dict[str, Any]]:
    return {
        "Parameters": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": _nested(depth, 1), "End": True}}},
        "Result": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": _nested(depth, 1), "End": True}}},
        "Output": {
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Output": _nested(depth, "{% 1 %}"), "End": True}},
        },
        "Assign": {
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Assign": {"v": _nested(depth, "{% 1 %}")}, "End": True}},
        },
        "Not": {
            "StartAt": "C",
            "States": {
                "C": {"Type": "Choice", "Choices": [{**_not_chain(depth), "Next": "E"}], "Default": "E"},
                "E": {"Type": "Succeed"},
            },
        },
    }


@pytest.mark.parametrize("field", ["Parameters", "Result", "Output", "Assign", "Not"])
@pytest.mark.parametrize("depth", [5_000, MAX_NESTING_DEPTH + 1])
def test_definitions_nested_too_deep_are_refused_with_a_diagnostic(field: str, depth: int) -> None:
    definition = _deep_definitions(depth)[field]
    diagnostics = validate(definition)
    assert [d.code for d in diagnostics] == [TOO_DEEP]
    assert diagnostics[0].location is not None and diagnostics[0].location.startswith("/States/")
    assert f"more than {MAX_NESTING_DEPTH} levels deep" in diagnostics[0].message
    with pytest.raises(ValidationError, match=TOO_DEEP):
        StateMachine.from_json(definition)
    if depth < 900:  # json.dumps itself cannot write deeper
        assert [d.code for d in validate(json.dumps(definition))] == [TOO_DEEP]  # from text, too


@pytest.mark.parametrize("field", ["Parameters", "Result", "Output", "Assign", "Not"])
def test_a_text_too_deep_is_refused_by_the_loader_at_the_validators_place(field: str, tmp_path: Path) -> None:
    # ``from_json``/``from_file`` of a text skip the validator's depth walk (the loader checked it):
    # the refusal, its code and its place stay what the validator reports for the same document.
    definition = _deep_definitions(MAX_NESTING_DEPTH + 1)[field]
    expected = [(d.code, d.location) for d in validate(definition)]
    file = tmp_path / "deep.asl.json"
    file.write_text(json.dumps(definition), encoding="utf-8")
    for load in (lambda: StateMachine.from_json(json.dumps(definition)), lambda: StateMachine.from_file(file)):
        with pytest.raises(ValidationError) as refused:
            load()
        assert [(d.code, d.location) for d in refused.value.diagnostics] == expected


def test_a_loaded_text_is_not_walked_for_depth_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    import asl_engine.definition.validate as validate_module

    def walked(document: object) -> str | None:
        raise AssertionError("the validator walked the depth of a document the loader had checked")

    monkeypatch.setattr(validate_module, "too_deep_at", walked)
    text = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Comment": "once", "End": True}}})
    assert StateMachine.from_json(text).execute({}).status == "SUCCEEDED"
    with pytest.raises(AssertionError, match="walked the depth"):  # a dict given as it is still is walked
        StateMachine.from_json(json.loads(text))


@pytest.mark.parametrize("field", ["Parameters", "Result", "Output", "Assign", "Not"])
def test_definitions_at_the_limit_validate_and_run(field: str) -> None:
    definition = _deep_definitions(MAX_NESTING_DEPTH - 8)[field]
    assert [d for d in validate(definition) if d.severity == "ERROR"] == []
    assert StateMachine.from_json(definition).execute({"a": 1}).status == "SUCCEEDED"


def test_json_text_too_deep_for_the_parser_is_a_diagnostic() -> None:
    text = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": ' + "[" * 10_000 + "]" * 10_000 + "}}}"
    assert [d.code for d in validate(text)] == [TOO_DEEP]
    yaml = "StartAt: P\nStates:\n  P:\n    Type: Pass\n    End: true\n    Result: " + "[" * 5_000 + "]" * 5_000
    assert [d.code for d in validate(yaml)] == [TOO_DEEP]


def test_a_definition_that_contains_itself_is_refused() -> None:
    result: dict[str, Any] = {}
    result["self"] = result
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": True}}}
    assert [d.code for d in validate(definition)] == [TOO_DEEP]


def test_inputs_nested_too_deep_are_invalid_execution_input() -> None:
    machine = StateMachine.from_json({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    at_limit: Any = []
    for _ in range(MAX_NESTING_DEPTH - 2):
        at_limit = [at_limit]
    assert machine.execute({"a": at_limit}).output == {"a": at_limit}
    for depth in (MAX_NESTING_DEPTH + 1, 10_000):
        deep: Any = []
        for _ in range(depth):
            deep = [deep]
        with pytest.raises(InvalidExecutionInput, match=f"more than {MAX_NESTING_DEPTH} levels deep"):
            machine.execute({"a": deep})


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab', max_size=4),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(alphabet="[]{}ab", max_size=3), children, max_size=3)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES, st.integers(0, 8))
def test_property_the_text_and_the_value_checks_agree(value: Any, limit: int) -> None:
    assert text_too_deep(json.dumps(value), limit) == (too_deep_at(value, limit) is not None)


def _cli(*args: str, input: bytes | str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def passthrough(tmp_path: Path) -> Path:
    path = tmp_path / "machine.json"
    path.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    return path


def test_asl_run_refuses_an_input_nested_10000_deep(passthrough: Path, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 10_000 + "]" * 10_000)
    for args, stdin in (
        (["--input", str(deep)], None),
        (["--input", "-"], "[" * 10_000 + "]" * 10_000),
        (["--input-json", "[" * 10_000 + "]" * 10_000], None),
        (["--input-json", "[" * 300 + "]" * 300], None),
    ):
        result = _cli("run", str(passthrough), *args, input=stdin)
        assert result.exit_code == 2
        assert f"more than {MAX_NESTING_DEPTH} levels deep" in result.stderr
        assert "Traceback" not in result.stderr


def test_asl_run_refuses_invalid_utf8_on_stdin_as_in_a_file(passthrough: Path, tmp_path: Path) -> None:
    data = b'{"a": "\xff"}'
    from_stdin = _cli("run", str(passthrough), "--input", "-", input=data)
    (tmp_path / "bad.json").write_bytes(data)
    from_file = _cli("run", str(passthrough), "--input", str(tmp_path / "bad.json"))
    assert from_stdin.exit_code == from_file.exit_code == 2
    assert "not UTF-8 text (invalid start byte at byte 7)" in from_stdin.stderr
    assert "not UTF-8 text (invalid start byte at byte 7)" in from_file.stderr


def test_a_lone_surrogate_is_written_as_an_escape_everywhere(passthrough: Path, tmp_path: Path) -> None:
    raw = '{"a": "\\ud800", "b": "\\u00e9"}'
    stdout = _cli("run", str(passthrough), "--input-json", raw, "--compact", "--trace")
    assert stdout.exit_code == 0
    assert stdout.stdout == '{"a":"\\ud800","b":"é"}\n'
    assert json.loads(stdout.stdout) == {"a": "\ud800", "b": "é"}
    assert "\\ud800" in stdout.stderr
    output, history = tmp_path / "out.json", tmp_path / "history.json"
    to_files = _cli("run", str(passthrough), "--input-json", raw, "-o", str(output), "--history-json", str(history))
    assert to_files.exit_code == 0
    assert json.loads(output.read_text(encoding="utf-8")) == {"a": "\ud800", "b": "é"}
    assert json.loads(history.read_text(encoding="utf-8"))["events"][0]["executionStartedEventDetails"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.json", "machine.json", "out.json"]


@pytest.mark.parametrize("literal", ["1e309", "-1e309", "NaN", "Infinity", "-Infinity"])
def test_numbers_json_cannot_hold_are_refused_in_definitions(literal: str, tmp_path: Path) -> None:
    path = tmp_path / "machine.json"
    path.write_text('{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": ' + literal + ', "End": true}}}')
    result = _cli("run", str(path))
    assert result.exit_code == 2
    assert "INVALID_JSON_DESCRIPTION" in result.stderr and "/States/P/Result" in result.stderr
    assert result.stdout == ""
    with pytest.raises(ValidationError):
        StateMachine.from_json(
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": float(literal), "End": True}}}
        )


# -- the property: anything the validator and the engine are fed ends in a result or a clear error ---

_KEYS = st.sampled_from(
    ["StartAt", "States", "Type", "Next", "End", "Parameters", "Result", "Choices", "Not", "And", "Variable",
     "Branches", "ItemProcessor", "Output", "Assign", "QueryLanguage", "Retry", "Catch", "a", "$", "x.$"]
)  # fmt: skip
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["Pass", "Choice", "Parallel", "Map", "Succeed", "{% 1/0 %}", "$.a", "States.ALL", "JSONata"])
    | st.text(max_size=6)
)
_DOCUMENTS = st.recursive(
    _LEAVES,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=40,
)


def _deep(document: Any, depth: int) -> Any:
    for _ in range(depth):
        document = {"States": {"S": {"Type": "Pass", "Result": document}}}
    return document


@contextlib.contextmanager
def _default_recursion_limit() -> Iterator[None]:
    """Hypothesis raises the limit while it runs a test; the property holds at Python's default."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_DOCUMENTS, depth=st.sampled_from([0, 1, 20, 36, 50, 300]))
def test_property_no_document_makes_a_traceback(document: Any, depth: int) -> None:
    with _default_recursion_limit():
        _no_traceback(document, depth)


def _no_traceback(document: Any, depth: int) -> None:
    shaped = _deep({"StartAt": "S", "States": {"S": {"Type": "Pass", "Result": document, "End": True}}}, depth)
    for candidate in (document, shaped):
        diagnostics = validate(candidate) if isinstance(candidate, dict) else []
        assert all(d.code != "INTERNAL_ERROR" for d in diagnostics)
        try:
            text = json.dumps(candidate)
        except (ValueError, RecursionError):
            text = None
        if text is not None:
            assert all(d.code != "INTERNAL_ERROR" for d in validate(text))
        try:
            machine = StateMachine.from_json(candidate) if isinstance(candidate, dict) else None
        except AslEngineError:
            continue
        if machine is not None:
            execution = machine.execute(document if not isinstance(document, float) else None)
            assert execution.status in ("SUCCEEDED", "FAILED")


@settings(max_examples=100, deadline=None)
@given(value=_DOCUMENTS, depth=st.sampled_from([0, 150, MAX_NESTING_DEPTH + 5, 3_000]))
def test_property_any_input_runs_or_is_refused(value: Any, depth: int) -> None:
    with _default_recursion_limit():
        _runs_or_is_refused(value, depth)


def _runs_or_is_refused(value: Any, depth: int) -> None:
    for _ in range(depth):
        value = [value]
    machine = StateMachine.from_json(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Pass",
                    "Output": {"i": "{% $states.input %}", "s": "{% $string($states.input) %}"},
                    "End": True,
                }
            },
        }
    )
    try:
        execution = machine.execute({"v": value})
    except InvalidExecutionInput:
        return
    assert execution.status in ("SUCCEEDED", "FAILED")
    if execution.status == "FAILED":
        assert execution.error in ("States.QueryEvaluationError", "States.DataLimitExceeded", "States.Runtime")
