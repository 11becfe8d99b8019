"""Diagnostics: one finding about a definition, located by a JSON pointer.

The shape follows AWS's ValidateStateMachineDefinition (code, message, location, severity) so that
results can be compared with AWS and later served by the Step Functions API; line/column and a
suggested fix are our additions for humans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["ERROR", "WARNING", "ADVICE"]
"""ERROR: AWS rejects the definition. WARNING: AWS accepts it but it is very likely a mistake.
ADVICE (ours, below WARNING): a recommended practice is missing; shown only on request
(``validate(..., advice=True)``, ``asl validate --advice``), since many sound definitions skip it."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    location: str | None = "/"
    severity: Severity = "ERROR"
    line: int | None = None
    column: int | None = None
    suggestion: str | None = None

    def format(self, source: str | None = None) -> str:
        """One human line: ``file:line:col: ERROR CODE at /ptr: message (suggestion)``."""
        where = source or ""
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        prefix = f"{where}: " if where else ""
        at = f" at {self.location}" if self.location else ""
        hint = f" ({self.suggestion})" if self.suggestion else ""
        return f"{prefix}{self.severity} {self.code}{at}: {self.message}{hint}"

    def to_dict(self) -> dict[str, Any]:
        """AWS's diagnostic shape plus our optional fields when set."""
        out: dict[str, Any] = {"severity": self.severity, "code": self.code, "message": self.message}
        if self.location is not None:
            out["location"] = self.location
        if self.line is not None:
            out["line"] = self.line
            out["column"] = self.column
        if self.suggestion:
            out["suggestion"] = self.suggestion
        return out
