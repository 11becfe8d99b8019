"""The protocol expressions evaluate against.

Expressions (paths, payload templates, intrinsics, JSONata) read three things besides their input
document: the context object (``$$`` / ``$states.context``), workflow variables (``$name``) and a
random source (``States.UUID``, ``States.MathRandom``, ``$random``). The runtime supplies them
through this protocol so the language layer never imports the runtime, and so that a test can
evaluate an expression with a three-line fake.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, Protocol


class EvaluationScope(Protocol):
    @property
    def random(self) -> random.Random: ...

    def context_object(self) -> Any:
        """The context object as AWS shows it to this state (built lazily by the runtime)."""
        ...

    def variable(self, name: str) -> Any:
        """The value of workflow variable ``name``; raises ``KeyError`` when it is not defined."""
        ...


class SimpleScope:
    """A fixed scope: for tests, the validator and one-off evaluations outside an execution."""

    def __init__(
        self,
        context: Any = None,
        variables: Mapping[str, Any] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._context = context if context is not None else {}
        self._variables = dict(variables or {})
        self._random = rng if rng is not None else random.Random(0)

    @property
    def random(self) -> random.Random:
        return self._random

    def context_object(self) -> Any:
        return self._context

    def variable(self, name: str) -> Any:
        return self._variables[name]
