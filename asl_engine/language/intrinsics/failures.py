"""How an intrinsic fails while running, before the compiled expression words it as AWS does.

AWS reports every intrinsic failure as ``States.Runtime`` (observed, e.g. ``States.MathAdd(3000000000,
1)``) with one of two causes, after its usual "An error occurred while executing the state ..."
prefix (added by the runtime):

* ``There was an error while evaluating the intrinsic function: <expression>. <detail>`` where the
  detail is usually ``Invalid arguments in States.<Name>``;
* ``The function '<call>' had the following error: The JsonPath argument for the field '<path>'
  could not be found in the input '<input JSON>'`` when a path argument matches nothing.
"""

from __future__ import annotations

from typing import Any


class IntrinsicFailure(Exception):
    """A function rejected its arguments; ``detail`` is AWS's text for it."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def invalid_arguments(function_name: str) -> IntrinsicFailure:
    """AWS's generic failure (wrong type, wrong count, out of range): the text has no full stop."""
    return IntrinsicFailure(f"Invalid arguments in {function_name}")


class MissingPathArgument(Exception):
    """A path argument of ``call_text`` matched nothing in ``document``."""

    def __init__(self, call_text: str, path: str, document: Any) -> None:
        super().__init__(path)
        self.call_text = call_text
        self.path = path
        self.document = document
