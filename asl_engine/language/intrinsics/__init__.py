"""Intrinsic functions of JSONPath states (``States.Format('{} {}', $.a, $.b)`` and 17 more).

An expression is parsed once into a call tree (``parser``), compiled into closures with every
name, path and literal resolved (``evaluator``), and evaluated with the behaviour AWS shows,
Java quirks included (``functions``, ``javalike``). See docs/intrinsics.md.
"""

from asl_engine.language.intrinsics.evaluator import MAX_NESTING, CompiledIntrinsic, compile_intrinsic
from asl_engine.language.intrinsics.functions import FUNCTIONS
from asl_engine.language.intrinsics.parser import looks_like_intrinsic, parse_intrinsic

__all__ = [
    "FUNCTIONS",
    "MAX_NESTING",
    "CompiledIntrinsic",
    "compile_intrinsic",
    "looks_like_intrinsic",
    "parse_intrinsic",
]
