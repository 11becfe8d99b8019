"""Errors raised by the expression languages (paths, templates, intrinsics, JSONata).

They carry just enough for the state that evaluated them to phrase AWS's message, because AWS words
the same failure differently depending on the field (``InputPath`` vs a ``.$`` template key vs
``ErrorPath``): the language layer knows *what* failed, the state knows *where*.
"""

from __future__ import annotations


class ExpressionSyntaxError(ValueError):
    """An expression could not be parsed. Raised at load time, never while running."""

    def __init__(self, message: str, text: str, position: int | None = None) -> None:
        self.message = message
        self.text = text
        self.position = position
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"{message}{where} in {text!r}")


class LocatedSyntaxError(ExpressionSyntaxError):
    """A syntax problem inside a structured field (a template, a Choice rule), with a JSON pointer
    relative to that field."""

    def __init__(self, message: str, pointer: str) -> None:
        self.pointer = pointer
        super().__init__(message, pointer)
        self.args = (message,)

    def __str__(self) -> str:
        return self.message


class PathNotFoundError(LookupError):
    """A definite path matched nothing.

    ``detail`` is Jayway JsonPath's wording (the library AWS runs), e.g.
    ``No results for path: $['x']`` or ``Missing property in path $['a']``.
    """

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"Invalid path '{path}' : {detail}")


class VariableNotFoundError(PathNotFoundError):
    """A ``$name`` reference to a workflow variable that is not defined in any visible scope."""

    def __init__(self, path: str, name: str) -> None:
        self.name = name
        super().__init__(path, f"The variable '${name}' is not defined")


class EvaluationError(Exception):
    """An expression failed while running, with the Step Functions error name it maps to.

    ``message`` is the part of AWS's cause that describes the failure; the runtime prefixes it
    with "An error occurred while executing the state '<S>' (entered at the event id #<N>). "
    where AWS does.
    """

    def __init__(self, error: str, message: str) -> None:
        self.error = error
        self.message = message
        super().__init__(f"{error}: {message}")
