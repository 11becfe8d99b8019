"""Intrinsic functions (``States.Format``, ``States.ArrayRange``, ...): parsed once, evaluated fast."""

from asl_engine.language.intrinsics.evaluator import CompiledIntrinsic, compile_intrinsic
from asl_engine.language.intrinsics.functions import FUNCTIONS
from asl_engine.language.intrinsics.parser import looks_like_intrinsic, parse_intrinsic

__all__ = ["FUNCTIONS", "CompiledIntrinsic", "compile_intrinsic", "looks_like_intrinsic", "parse_intrinsic"]
