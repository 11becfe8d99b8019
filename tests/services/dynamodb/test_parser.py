"""The expression parsers: grammar, DynamoDB's syntax-error wording, and property tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.services.dynamodb.expressions import ast
from asl_engine.services.dynamodb.expressions.parser import (
    ExpressionError,
    parse_condition,
    parse_projection,
    parse_update,
)


def syntax_error(parse: object, text: str) -> str:
    with pytest.raises(ExpressionError) as caught:
        parse(text)  # type: ignore[operator]
    return caught.value.message


def path(*elements: str | int) -> ast.PathNode:
    return ast.PathNode(
        tuple(
            ast.IndexElement(e) if isinstance(e, int) else ast.NameElement(e, placeholder=e.startswith("#"))
            for e in elements
        )
    )


def test_precedence_not_binds_tighter_than_and_which_binds_tighter_than_or() -> None:
    tree = parse_condition("a < b OR NOT c < b AND b BETWEEN a AND c").root
    assert isinstance(tree, ast.Or)
    assert isinstance(tree.right, ast.And)
    assert isinstance(tree.right.left, ast.Not)
    assert isinstance(tree.right.right, ast.Between)


def test_keywords_are_case_insensitive_functions_are_not_changed() -> None:
    tree = parse_condition("a between :x aNd :y and Begins_With(b, :p)").root
    assert isinstance(tree, ast.And)
    assert isinstance(tree.right, ast.FunctionCondition)
    assert tree.right.call.name == "Begins_With"


def test_paths_with_placeholders_and_indexes() -> None:
    tree = parse_projection("a.#b[3][0].c, #d")
    assert tree.paths == (path("a", "#b", 3, 0, "c"), path("#d"))


def test_parenthesised_operands_and_conditions() -> None:
    between = parse_condition("(a)between(b.c.d)and(c)").root
    assert between == ast.Between(path("a"), path("b", "c", "d"), path("c"))
    assert not parse_condition("(a = b) AND (c = d)").redundant_parentheses
    assert parse_condition("((a = b))").redundant_parentheses
    assert parse_condition("a=a AND ((a=a AND a=a)) AND a=a").redundant_parentheses


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a", 'Syntax error; token: "<EOF>", near: "a"'),
        ("a AND b = c", 'Syntax error; token: "AND", near: "a AND b"'),
        ("a = ", 'Syntax error; token: "<EOF>", near: "= "'),
        ("a in b", 'Syntax error; token: "b", near: "in b"'),
        ("a IN ()", 'Syntax error; token: ")", near: "()"'),
        ("a > between", 'Syntax error; token: "between", near: "> between"'),
        ("attribute_exists(asdf[a])", 'Syntax error; token: "a", near: "[a]"'),
        ("ü > a", 'Syntax error; token: "ü", near: "ü >"'),
        ("b[:a] > a", 'Syntax error; token: ":a", near: "[:a]"'),
        ("a < b < c", 'Syntax error; token: "<", near: "b < c"'),
        ("size(a).b > a", 'Syntax error; token: ".", near: ").b"'),
    ],
)
def test_condition_syntax_errors_name_the_token_and_its_neighbours(text: str, message: str) -> None:
    assert syntax_error(parse_condition, text) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SET _123 = :val1", 'Syntax error; token: "_", near: "SET _123"'),
        ("ADD hits : incr", 'Syntax error; token: ":", near: "hits : incr"'),
        ("set a=set", 'Syntax error; token: "set", near: "=set"'),
        ("set a = b + c + d", 'Syntax error; token: "+", near: "c + d"'),
        ("HELLO b = :v", 'Syntax error; token: "HELLO", near: "HELLO b"'),
        ("SET a[:x] = :v", 'Syntax error; token: ":x", near: "[:x]"'),
        ("SET :a = :b", 'Syntax error; token: ":a", near: "SET :a ="'),
        ("SET c = if_not_exists(c, :v1+:v2)", 'Syntax error; token: "+", near: ":v1+:v2"'),
        ("set a[1] = 1", 'Syntax error; token: "1", near: "= 1"'),
        ("delete a b", 'Syntax error; token: "b", near: "a b"'),
    ],
)
def test_update_syntax_errors(text: str, message: str) -> None:
    assert syntax_error(parse_update, text) == message


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_expressions(text: str) -> None:
    for parse in (parse_condition, parse_update, parse_projection):
        assert syntax_error(parse, text) == "The expression can not be empty;"


def test_update_clauses_may_come_in_any_order_and_are_kept_in_source_order() -> None:
    tree = parse_update("remove a set b = a, c = :v add d :n delete e :s")
    assert tree.clauses == ("REMOVE", "SET", "ADD", "DELETE")
    assert [type(a).__name__ for a in tree.actions] == [
        "RemoveAction",
        "SetAction",
        "SetAction",
        "AddAction",
        "DeleteAction",
    ]
    repeated = parse_update("SET a = :v SET b = :w")
    assert repeated.clauses == ("SET", "SET")


def test_set_values_allow_one_arithmetic_operation_and_nested_functions() -> None:
    action = parse_update("SET a = if_not_exists(b, :one) + :two").actions[0]
    assert isinstance(action, ast.SetAction)
    assert isinstance(action.value, ast.Arithmetic)
    grouped = parse_update("set a = (b + c)").actions[0]
    assert isinstance(grouped, ast.SetAction) and isinstance(grouped.value, ast.Arithmetic)


# --------------------------------------------------------------------------- properties

names = st.sampled_from(["a", "b", "c1", "Name_2", "#n", "#x1"])
values = st.sampled_from([":v", ":w", ":x1"])
paths = st.builds(
    lambda head, rest: (head, *rest),
    names,
    st.lists(st.one_of(names, st.integers(0, 12)), max_size=3),
)


def render_path(elements: tuple[str | int, ...]) -> str:
    text = str(elements[0])
    for element in elements[1:]:
        text += f"[{element}]" if isinstance(element, int) else f".{element}"
    return text


operands = st.one_of(
    paths.map(render_path),
    values,
    paths.map(lambda p: f"size({render_path(p)})"),
)
comparisons = st.builds(
    lambda left, operator, right: f"{left} {operator} {right}",
    operands,
    st.sampled_from(["=", "<>", "<", "<=", ">", ">="]),
    operands,
)
functions = st.one_of(
    paths.map(lambda p: f"attribute_exists({render_path(p)})"),
    st.builds(lambda p, v: f"begins_with({render_path(p)}, {v})", paths, values),
    st.builds(lambda p, v: f"contains({render_path(p)}, {v})", paths, values),
)
leaves = st.one_of(
    comparisons,
    functions,
    st.builds(lambda a, b, c: f"{a} BETWEEN {b} AND {c}", operands, operands, operands),
    st.builds(lambda a, opts: f"{a} IN ({', '.join(opts)})", operands, st.lists(operands, min_size=1, max_size=3)),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"{a} AND {b}", inner, inner),
        st.builds(lambda a, b: f"{a} OR {b}", inner, inner),
        inner.map(lambda a: f"NOT {a}"),
        inner.map(lambda a: f"({a})"),
    ),
    max_leaves=6,
)


@settings(max_examples=300, derandomize=True)
@given(conditions)
def test_generated_conditions_parse(text: str) -> None:
    tree = parse_condition(text)
    # Spacing is insignificant: the same expression without optional spaces parses the same.
    compact = text.replace(" = ", "=").replace(", ", ",")
    assert parse_condition(compact).root == tree.root


@settings(max_examples=300, derandomize=True)
@given(st.text(alphabet=st.sampled_from(list("ab#:_()[],.=<>+- 019ANDORSETx\tü")), max_size=30))
def test_random_text_parses_or_raises_expression_error(text: str) -> None:
    for parse in (parse_condition, parse_update, parse_projection):
        try:
            parse(text)
        except ExpressionError as error:
            assert error.message


set_actions = st.builds(
    lambda target, value: f"{render_path(target)} = {value}",
    paths,
    st.one_of(
        operands.filter(lambda o: not o.startswith("size")),
        st.builds(lambda a, b: f"{a} + {b}", values, paths.map(render_path)),
        st.builds(lambda p, v: f"if_not_exists({render_path(p)}, {v})", paths, values),
        st.builds(lambda a, b: f"list_append({a}, {b})", values, values),
    ),
)


@settings(max_examples=200, derandomize=True)
@given(
    st.lists(set_actions, min_size=1, max_size=3),
    st.lists(paths.map(render_path), max_size=2),
    st.lists(st.builds(lambda p, v: f"{render_path(p)} {v}", paths, values), max_size=2),
)
def test_generated_updates_parse_into_their_actions(sets: list[str], removes: list[str], adds: list[str]) -> None:
    text = "SET " + ", ".join(sets)
    if removes:
        text += " REMOVE " + ", ".join(removes)
    if adds:
        text += " ADD " + ", ".join(adds)
    tree = parse_update(text)
    assert len(tree.actions) == len(sets) + len(removes) + len(adds)
    assert tree.clauses[0] == "SET"
