"""What can go wrong with a template, said the way a user can act on it.

A template is read (``TemplateError``: the file is not a template, is not JSON or YAML, names no
state machine, names several and none was picked) and then resolved: every value the engine cannot
work out locally (an SSM parameter, an export of another stack, an attribute of a resource type it
does not model) is an ``Unresolved`` naming its path in the template, CloudFormation style
(``Resources.MyMachine.Properties.DefinitionSubstitutions.TableArn``), and the
``--parameter KEY=VALUE`` (``parameters={KEY: VALUE}``) that supplies it. Every unresolved value of
a state machine is reported at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from asl_engine.errors import DefinitionError


@dataclass(frozen=True, slots=True)
class Unresolved:
    """One value the engine cannot resolve locally."""

    path: str
    """Where it is, CloudFormation style: ``Resources.MyMachine.Properties.DefinitionString``."""
    reason: str
    """Why it cannot be resolved (``the parameter TableName has no Default``)."""
    key: str | None = None
    """The ``--parameter`` key that would supply it (``TableName``, ``Orders.StreamArn``), if one does."""

    def describe(self) -> str:
        fix = f"; pass --parameter {self.key}=VALUE (parameters={{{self.key!r}: ...}})" if self.key else ""
        return f"{self.path}: {self.reason}{fix}"


class TemplateError(DefinitionError):
    """A template that cannot give a state machine: unreadable, ambiguous, or not resolvable locally."""

    def __init__(self, source: str, message: str, unresolved: Sequence[Unresolved] = ()) -> None:
        self.source = source
        self.unresolved = list(unresolved)
        lines = [message]
        lines.extend(f"  {problem.describe()}" for problem in self.unresolved)
        self.detail = "\n".join(lines)
        """The message without the file's name."""
        super().__init__(f"{source}: {self.detail}")
