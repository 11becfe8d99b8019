"""What validation needs from the layers above ``definition``, which it does not import.

Checking a definition fully takes the expression languages (intrinsic functions) and the engine's
compiler (every JSONPath, intrinsic and JSONata expression), which live in ``language`` and
``runtime``. ``validate`` and ``validate_document`` take an ``ExpressionChecks`` for that part;
``asl_engine.validate`` (``asl_engine/validation.py``) passes the engine's. Without one, only the
structural checks run (the schema, the rules and the graph), as when a ``StateMachine`` is loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from asl_engine.definition.diagnostics import Diagnostic


class ExpressionChecks(Protocol):
    def intrinsic_warnings(self, text: str) -> Sequence[str]:
        """Why a string of a JSONPath state, calling intrinsic functions, would always fail at run time
        although AWS accepts it (e.g. a wrong argument count); empty when it is no such call or does not parse."""
        ...

    def compile_diagnostics(self, document: dict[str, Any], machine_type: str) -> list[Diagnostic]:
        """The compiler's findings about a structurally sound definition's expressions."""
        ...
