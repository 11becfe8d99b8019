"""Recursive-descent parsers for condition, update and projection expressions.

Condition grammar (lowest precedence first; AND, OR, NOT, BETWEEN and IN are case-insensitive
keywords, function names are case-sensitive)::

    condition  := disjunct (OR disjunct)*
    disjunct   := conjunct (AND conjunct)*
    conjunct   := NOT conjunct | predicate
    predicate  := operand comparator operand
                | operand BETWEEN operand AND operand
                | operand IN "(" operand ("," operand)* ")"
                | function-call
                | "(" condition ")"
    operand    := path | :value | function-call | "(" operand ")"

Update grammar (each clause at most once, in any order; SET, REMOVE, ADD and DELETE are
case-insensitive keywords)::

    update     := clause+
    clause     := SET set-action ("," set-action)* | REMOVE path ("," path)*
                | ADD path :value ("," path :value)* | DELETE path :value ("," ...)*
    set-action := path "=" set-value
    set-value  := "(" set-value ")" | term (("+" | "-") term)?
    term       := "(" term ")" | function-call | path | :value

A parse error raises ``ExpressionError`` worded as DynamoDB's syntax errors; everything that
parses but is semantically wrong (unknown functions, wrong operand types...) is left to
``binding``, which reports it in DynamoDB's order of precedence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from asl_engine.services.dynamodb.expressions.ast import (
    AddAction,
    And,
    Arithmetic,
    Between,
    Comparison,
    Condition,
    ConditionTree,
    DeleteAction,
    FunctionCondition,
    FunctionNode,
    In,
    IndexElement,
    NameElement,
    Not,
    Operand,
    Or,
    PathElement,
    PathNode,
    ProjectionTree,
    RemoveAction,
    SetAction,
    SetValue,
    UpdateAction,
    UpdateTree,
    ValueNode,
)
from asl_engine.services.dynamodb.expressions.lexer import Kind, Token, tokenize

COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
CONDITION_KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
CLAUSE_KEYWORDS = ("SET", "REMOVE", "ADD", "DELETE")
EMPTY_EXPRESSION = "The expression can not be empty;"


class ExpressionError(Exception):
    """An expression DynamoDB rejects; ``message`` lacks the ``Invalid <Kind>: `` prefix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_Node = Condition | Operand
#: Parses one function argument or the content of a parenthesised group.
_ArgumentParser = Callable[[], Any]


class _Parser:
    def __init__(self, text: str, keywords: frozenset[str]) -> None:
        if not text.strip():
            raise ExpressionError(EMPTY_EXPRESSION)
        self.text = text
        self.tokens = tokenize(text)
        self.position = 0
        self.keywords = keywords
        self.redundant_parentheses = False
        # Nodes that a parenthesised group produced as its whole content: a group directly
        # around one of these is redundant, as in "((a = b))".
        self._grouped: set[int] = set()

    # ------------------------------------------------------------------ token helpers

    def peek(self) -> Token:
        return self.tokens[self.position]

    def advance(self) -> Token:
        token = self.tokens[self.position]
        if token.kind is not Kind.EOF:
            self.position += 1
        return token

    def syntax_error(self, token: Token | None = None) -> ExpressionError:
        token = token or self.peek()
        index = self.tokens.index(token)
        start = self.tokens[index - 1].start if index > 0 else token.start
        if token.kind is Kind.EOF:
            end = len(self.text)
        else:
            following = self.tokens[index + 1]
            end = token.end if following.kind is Kind.EOF else following.end
        near = self.text[start:end]
        return ExpressionError(f'Syntax error; token: "{token.text}", near: "{near}"')

    def expect(self, punctuation: str) -> Token:
        token = self.peek()
        if not token.is_punct(punctuation):
            raise self.syntax_error(token)
        return self.advance()

    def at_keyword(self, *words: str) -> bool:
        token = self.peek()
        return token.kind is Kind.IDENTIFIER and token.text.upper() in words

    def expect_end(self) -> None:
        if self.peek().kind is not Kind.EOF:
            raise self.syntax_error()

    # ------------------------------------------------------------------ paths and operands

    def path(self) -> PathNode:
        elements: list[PathElement] = [self.path_name()]
        while True:
            token = self.peek()
            if token.is_punct("."):
                self.advance()
                elements.append(self.path_name())
            elif token.is_punct("["):
                self.advance()
                index = self.peek()
                if index.kind is not Kind.NUMBER:
                    raise self.syntax_error(index)
                self.advance()
                self.expect("]")
                elements.append(IndexElement(int(index.text)))
            else:
                return PathNode(tuple(elements))

    def path_name(self) -> NameElement:
        token = self.peek()
        if token.kind is Kind.NAME:
            self.advance()
            return NameElement(token.text, placeholder=True)
        if token.kind is Kind.IDENTIFIER and token.text.upper() not in self.keywords:
            self.advance()
            return NameElement(token.text, placeholder=False)
        raise self.syntax_error(token)

    def function_call(self, argument: _ArgumentParser) -> FunctionNode:
        name = self.advance().text
        self.expect("(")
        args = [argument()]
        while self.peek().is_punct(","):
            self.advance()
            args.append(argument())
        self.expect(")")
        return FunctionNode(name, tuple(args))

    def starts_function(self) -> bool:
        token = self.peek()
        following = self.tokens[self.position + 1] if token.kind is not Kind.EOF else token
        return token.kind is Kind.IDENTIFIER and token.text.upper() not in self.keywords and following.is_punct("(")

    def plain_operand(self, argument: _ArgumentParser) -> Operand | None:
        """A path, value or function call at the current token, or None."""
        token = self.peek()
        if token.kind is Kind.VALUE:
            self.advance()
            return ValueNode(token.text)
        if self.starts_function():
            return self.function_call(argument)
        if token.kind is Kind.NAME or (token.kind is Kind.IDENTIFIER and token.text.upper() not in self.keywords):
            return self.path()
        return None

    def group(self, inner: _ArgumentParser) -> tuple[object, Token]:
        """'(' inner ')'; returns the content and the closing token."""
        self.expect("(")
        content = inner()
        if id(content) in self._grouped:
            self.redundant_parentheses = True
        closing = self.expect(")")
        self._grouped.add(id(content))
        return content, closing

    # ------------------------------------------------------------------ conditions

    def condition_tree(self) -> ConditionTree:
        node = self.disjunction()
        if not _is_condition(node):
            raise self.syntax_error()
        self.expect_end()
        return ConditionTree(cast(Condition, node), self.redundant_parentheses)

    def disjunction(self) -> _Node:
        node = self.conjunction()
        while self.at_keyword("OR"):
            left = self._require_condition(node)
            self.advance()
            right = self._require_condition(self.conjunction())
            node = Or(left, right)
        return node

    def conjunction(self) -> _Node:
        node = self.negation()
        while self.at_keyword("AND"):
            left = self._require_condition(node)
            self.advance()
            right = self._require_condition(self.negation())
            node = And(left, right)
        return node

    def negation(self) -> _Node:
        if self.at_keyword("NOT"):
            self.advance()
            return Not(self._require_condition(self.negation()))
        return self.predicate()

    def _require_condition(self, node: _Node) -> Condition:
        if not _is_condition(node):
            raise self.syntax_error()
        return cast(Condition, node)

    def predicate(self) -> _Node:
        if self.peek().is_punct("("):
            left, _ = self.group(self.disjunction)
            if _is_condition(left):
                return cast(Condition, left)
            subject = cast(Operand, left)
        else:
            operand = self.plain_operand(self.condition_operand)
            if operand is None:
                raise self.syntax_error()
            subject = operand
        token = self.peek()
        if token.kind is Kind.PUNCTUATION and token.text in COMPARATORS:
            self.advance()
            return Comparison(token.text, subject, self.condition_operand())
        if self.at_keyword("BETWEEN"):
            self.advance()
            low = self.condition_operand()
            if not self.at_keyword("AND"):
                raise self.syntax_error()
            self.advance()
            return Between(subject, low, self.condition_operand())
        if self.at_keyword("IN"):
            self.advance()
            self.expect("(")
            options = [self.condition_operand()]
            while self.peek().is_punct(","):
                self.advance()
                options.append(self.condition_operand())
            self.expect(")")
            return In(subject, tuple(options))
        if isinstance(subject, FunctionNode):
            return FunctionCondition(subject)
        # A bare operand: only valid inside a group that a comparison follows.
        return subject

    def condition_operand(self) -> Operand:
        if self.peek().is_punct("("):
            content, closing = self.group(self.disjunction)
            if _is_condition(content):
                raise self.syntax_error(closing)
            return cast(Operand, content)
        operand = self.plain_operand(self.condition_operand)
        if operand is None:
            raise self.syntax_error()
        return operand

    # ------------------------------------------------------------------ updates

    def update_tree(self) -> UpdateTree:
        actions: list[UpdateAction] = []
        clauses: list[str] = []
        while self.peek().kind is not Kind.EOF:
            if not self.at_keyword(*CLAUSE_KEYWORDS):
                raise self.syntax_error()
            clause = self.advance().text.upper()
            clauses.append(clause)
            actions.append(self.update_action(clause))
            while self.peek().is_punct(","):
                self.advance()
                actions.append(self.update_action(clause))
        return UpdateTree(tuple(actions), tuple(clauses))

    def update_action(self, clause: str) -> UpdateAction:
        path = self.path()
        if clause == "REMOVE":
            return RemoveAction(path)
        if clause == "SET":
            self.expect("=")
            return SetAction(path, self.set_value())
        token = self.peek()
        if token.kind is not Kind.VALUE:
            raise self.syntax_error(token)
        self.advance()
        value = ValueNode(token.text)
        return AddAction(path, value) if clause == "ADD" else DeleteAction(path, value)

    def set_value(self) -> SetValue:
        if self.peek().is_punct("("):
            content, _ = self.group(self.set_value)
            if isinstance(content, Arithmetic):
                return content
            left = cast(Operand, content)
        else:
            left = self.update_term()
        token = self.peek()
        if token.is_punct("+") or token.is_punct("-"):
            self.advance()
            return Arithmetic(token.text, left, self.update_term())
        return left

    def update_term(self) -> Operand:
        if self.peek().is_punct("("):
            content, _ = self.group(self.update_term)
            return cast(Operand, content)
        operand = self.plain_operand(self.update_term)
        if operand is None:
            raise self.syntax_error()
        return operand

    # ------------------------------------------------------------------ projections

    def projection_tree(self) -> ProjectionTree:
        paths = [self.path()]
        while self.peek().is_punct(","):
            self.advance()
            paths.append(self.path())
        self.expect_end()
        return ProjectionTree(tuple(paths))


def _is_condition(node: object) -> bool:
    return isinstance(node, Comparison | Between | In | FunctionCondition | And | Or | Not)


def parse_condition(text: str) -> ConditionTree:
    """Parse a ConditionExpression, FilterExpression or KeyConditionExpression."""
    return _Parser(text, CONDITION_KEYWORDS).condition_tree()


def parse_update(text: str) -> UpdateTree:
    parser = _Parser(text, frozenset(CLAUSE_KEYWORDS))
    tree = parser.update_tree()
    parser.expect_end()
    return tree


def parse_projection(text: str) -> ProjectionTree:
    return _Parser(text, frozenset()).projection_tree()
