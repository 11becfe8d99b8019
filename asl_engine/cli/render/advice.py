"""Advice for the tasks nothing answered, in the command line's terms: the ``asl.toml`` lines that would
define what was missing, or a mock from a MockConfigFile.

The engine reports what it could not answer as data (``Execution.unanswered_tasks``: the state, the
resource, what was missing); the library words it for Python (``Execution.advice``), this module for
the ``asl`` command.
"""

from __future__ import annotations

from collections.abc import Iterable

from asl_engine.runtime.handlers import UnansweredTask

MOCK_HINT = "or answer the state with a mock: --mock-config MockConfigFile.json --test-case NAME"


def cli_advice(tasks: Iterable[UnansweredTask], resources_file: str) -> list[str]:
    """Lines for stderr, one block per task (the same state and resource once)."""
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()
    for task in tasks:
        key = (task.state_name, task.resource.arn)
        if key in seen:
            continue
        seen.add(key)
        missing = task.missing
        if missing is not None and missing.section is not None and missing.config_line is not None:
            lines.append(
                f"hint: state '{task.state_name}' calls the {missing.kind} '{missing.name}', which {resources_file} "
                "does not define; add:"
            )
            lines.append(f"        [{missing.section}]")
            lines.append(f"        {missing.config_line}")
        else:
            lines.append(
                f"hint: nothing answers state '{task.state_name}' ({task.resource.arn}); add to {resources_file}:"
            )
            lines.append("        [handlers]")
            lines.append(f'        "{task.resource.arn}" = "module:function"')
        lines.append(f"      {MOCK_HINT}")
    return lines
