"""What a definition may contain: syntax, names, nesting, paths and escapes (checked at load time)."""

from __future__ import annotations

import pytest

from asl_engine.language.errors import ExpressionSyntaxError, VariableNotFoundError
from asl_engine.language.intrinsics import FUNCTIONS, MAX_NESTING, compile_intrinsic, looks_like_intrinsic
from asl_engine.language.intrinsics.parser import parse_intrinsic
from asl_engine.language.intrinsics.syntax_tree import Call, Literal, PathArgument
from tests.language.intrinsics.support import failure, invalid, run

EIGHTEEN = (
    "Format StringToJson JsonToString Array ArrayPartition ArrayContains ArrayRange ArrayGetItem ArrayLength "
    "ArrayUnique Base64Encode Base64Decode Hash JsonMerge MathRandom MathAdd StringSplit UUID"
)


def test_the_eighteen_functions() -> None:
    assert sorted(FUNCTIONS) == sorted(f"States.{name}" for name in EIGHTEEN.split())


def test_parse_tree_keeps_positions_and_literal_sources() -> None:
    tree = parse_intrinsic("States.Format('a\\{{}', $.x, States.Array(1.5, true, null))")
    assert tree.name == "States.Format"
    template, path, call = tree.arguments
    assert template == Literal("a{{}", 14, 21, "a\\{{}")
    assert path == PathArgument("$.x", 23, 26)
    assert isinstance(call, Call) and call.name == "States.Array" and call.depth() == 1
    assert [argument.value for argument in call.arguments if isinstance(argument, Literal)] == [1.5, True, None]
    assert tree.depth() == 2


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [  # [TAM] States.UUID-016..020 and others: AWS rejects these when the machine is created
        ("States.UUID(", 12, "Expected an argument"),
        ("States.UUID)", 11, "Expected '('"),
        ("States.UUID(,)", 12, "Expected an argument"),
        ("States.UUID() trailing", 14, "end of the expression"),
        ("States.UUID($", 13, "Expected ',' or ')'"),
        ("States.Array(1.)", 13, "Invalid number '1.'"),
        ("States.Array(.5)", 13, "Unexpected character '.'"),
        ("States.Array(01)", 13, "Invalid number '01'"),
        ("States.Array([1,2])", 13, "Unexpected character '['"),
        ("States.Array('a' 'b')", 17, "Expected ',' or ')'"),
        ('States.Array("a")', 13, "Unexpected character '\"'"),
        ("States.Array('unterminated)", 13, "Unterminated string"),
        ("States.Array('a\\nb')", 15, "Invalid escape '\\\\n'"),  # [TAM note] Base64Decode-020
        ("States.Array('trailing\\')", 13, "Unterminated string"),
        ("States.Array(abc)", 13, "Unexpected 'abc'"),
        ("States.Array(1e999)", 13, "too large"),
        ("States.Array($['a)", 13, "Unterminated path"),
        ("States.Array($.a..)", 13, "Invalid path argument"),
        ("$.a", 0, "Expected an intrinsic function call"),
        ("", 0, "Expected an intrinsic function call"),
        ("true()", 0, "Expected an intrinsic function call"),
    ],
)
def test_syntax_errors_name_the_position(text: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        compile_intrinsic(text)
    assert caught.value.position == position
    assert fragment in caught.value.message
    assert caught.value.text == text


def test_unknown_functions_are_rejected_with_a_suggestion() -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        compile_intrinsic("States.Array(States.Fromat('{}', 1))")
    assert caught.value.message == "Unknown intrinsic function 'States.Fromat' (did you mean 'States.Format'?)"
    assert caught.value.position == 13
    with pytest.raises(ExpressionSyntaxError, match=r"the functions are States\.Format"):
        compile_intrinsic("Custom.Thing()")


def test_nesting_is_limited_to_ten_levels() -> None:
    deepest = "States.Array(" * MAX_NESTING + "1" + ")" * MAX_NESTING
    value = run(deepest)
    for _ in range(MAX_NESTING):
        value = value[0]
    assert value == 1
    with pytest.raises(ExpressionSyntaxError, match="at most 10 deep") as caught:
        compile_intrinsic("States.Array(" * 11 + ")" * 11)
    assert caught.value.position == 10 * len("States.Array(")


def test_wrong_argument_counts_are_accepted_and_fail_when_run() -> None:
    # [TAM] States.MathAdd-021: AWS creates the machine; the execution fails with States.Runtime.
    compiled = compile_intrinsic("States.Array(States.MathAdd(1))")
    assert compiled.warnings == (
        "States.MathAdd(1): States.MathAdd takes 2 arguments, got 1; AWS accepts the definition but the call "
        "fails when it runs (Invalid arguments in States.MathAdd)",
    )
    assert failure("States.Array(States.MathAdd(1))") == (
        "There was an error while evaluating the intrinsic function: States.Array(States.MathAdd(1)). "
        "Invalid arguments in States.MathAdd"
    )
    assert compile_intrinsic("States.UUID(1)").warnings == (
        "States.UUID(1): States.UUID takes no arguments; AWS ignores them",
    )
    assert compile_intrinsic("States.Format('{}', 1)").warnings == ()


def test_format_needs_at_least_a_template() -> None:
    assert failure("States.Format()") == invalid("States.Format()")
    assert failure("States.Format(1)") == invalid("States.Format(1)")
    assert failure("States.Format('{} {}', 1)") == invalid("States.Format('{} {}', 1)")
    assert failure("States.Format('{}', 1, 2)") == invalid("States.Format('{}', 1, 2)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('literal \\{\\} {}', 'x')", "literal {} x"),
        ("States.Format('it\\'s {}', $$.Execution.Name)", "it's exec-1"),
        ("States.Format('back\\\\slash {}', 1)", "back\\slash 1"),
        ("States.Array('a\\{b\\}c', '\\\\', '\\'')", ["a{b}c", "\\", "'"]),
        ('States.StringToJson(\'{"k": "v"}\')', {"k": "v"}),  # unescaped braces are accepted
        ("States.Format($.template, 1)", "{1}"),  # a runtime template honours escapes too
    ],
)
def test_escapes(text: str, expected: object) -> None:
    assert run(text, {"template": "\\{{}\\}"}) == expected


def test_paths_with_brackets_commas_filters_and_roots() -> None:
    document = {"a,b": 1, "c": [2, 3], "xs": [{"v": 1}, {"v": 2}, {"v": 3}], "sp ace": "s"}
    assert run("States.Array($['a,b'], $.c[0], $['sp ace'], $$.Execution.Name, $v.k)", document, {"v": {"k": 4}}) == [
        1,
        2,
        "s",
        "exec-1",
        4,
    ]
    assert run("States.ArrayLength($.xs[?(@.v > 1)])", document) == 2
    assert run("States.ArrayLength($.c[*])", document) == 2
    assert run("States.Array($)", 7) == [7]


def test_undefined_variables_are_left_to_the_caller() -> None:
    with pytest.raises(VariableNotFoundError):
        run("States.Array($nope)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('x')", True),
        ("  States.UUID()", True),
        ("States.UUID(", True),  # compiled, so the error says what is wrong
        ("Custom.Fn(1)", True),
        ("$.a", False),
        ("$$.Execution.Id", False),
        ("States", False),
        ("States.Format", False),
        ("Format('x')", False),
        ("", False),
    ],
)
def test_looks_like_intrinsic(text: str, expected: bool) -> None:
    assert looks_like_intrinsic(text) is expected


def test_compiled_keeps_its_text() -> None:
    compiled = compile_intrinsic("States.UUID()")
    assert compiled.text == "States.UUID()"
    assert repr(compiled) == "CompiledIntrinsic('States.UUID()')"


def test_uuid_and_unseeded_random_come_from_the_scope() -> None:
    from tests.language.intrinsics.support import scope

    uuid = compile_intrinsic("States.UUID()")
    assert uuid.evaluate({}, scope(seed=1)) == uuid.evaluate({}, scope(seed=1))
    assert uuid.evaluate({}, scope(seed=1)) != uuid.evaluate({}, scope(seed=2))
    randoms = compile_intrinsic("States.MathRandom(0, 1000)")
    assert randoms.evaluate({}, scope(seed=5)) == randoms.evaluate({}, scope(seed=5))
    assert len({randoms.evaluate({}, scope(seed=seed)) for seed in range(20)}) > 10


def test_results_do_not_alias_mutable_inputs_unexpectedly() -> None:
    document = {"a": [1, 2, 3]}
    chunks = run("States.ArrayPartition($.a, 5)", document)
    assert chunks == [[1, 2, 3]] and chunks[0] is not document["a"]
    merged = run("States.JsonMerge($.o, $.o, false)", {"o": {"k": 1}})
    assert merged == {"k": 1}
