"""What the compiler needs to know about one intrinsic function."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from asl_engine.language.intrinsics.syntax_tree import Node
from asl_engine.language.scope import EvaluationScope

Implementation = Callable[[Sequence[Any], EvaluationScope], Any]
# Given the call's argument nodes, an implementation specialised for them (e.g. States.Format
# with a literal template parsed once), or None to use the general one.
Specializer = Callable[[tuple[Node, ...]], Implementation | None]


@dataclass(frozen=True, slots=True)
class IntrinsicFunction:
    """``max_args`` None means any number. ``ignores_arguments``: AWS accepts and ignores them."""

    name: str
    implementation: Implementation
    min_args: int
    max_args: int | None
    specialize: Specializer | None = None
    ignores_arguments: bool = False

    def accepts(self, count: int) -> bool:
        if self.ignores_arguments:
            return True
        return self.min_args <= count and (self.max_args is None or count <= self.max_args)

    def signature(self) -> str:
        if self.max_args is None:
            return f"at least {self.min_args} argument{'s' if self.min_args != 1 else ''}"
        if self.min_args == self.max_args:
            return f"{self.min_args} argument{'s' if self.min_args != 1 else ''}"
        return f"{self.min_args} to {self.max_args} arguments"
