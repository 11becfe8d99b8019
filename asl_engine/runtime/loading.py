"""A definition checked as AWS checks it when a state machine is created, then compiled.

``StateMachine`` (the public API) and the services' ``asl.toml`` ``[state_machines]`` both load
machines this way; living in the runtime, it needs neither of them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

from asl_engine.definition.loader import load_definition
from asl_engine.definition.templates import TemplateError, load_state_machine, sniff_template
from asl_engine.definition.validate import validate_document
from asl_engine.errors import ValidationError
from asl_engine.runtime.compiler import CompiledMachine, compile_machine
from asl_engine.runtime.starter import LoadedMachine


def compile_definition(
    document: dict[str, Any],
    *,
    machine_type: str = "STANDARD",
    source: str | None = None,
    nesting_checked: bool = False,
) -> CompiledMachine:
    """Compile ``document``; raise ``ValidationError`` (naming ``source``) for what AWS would reject.
    ``nesting_checked``: see ``validate_document`` (a document read from a text or a file)."""
    diagnostics = validate_document(document, machine_type=machine_type, nesting_checked=nesting_checked)
    errors = [d for d in diagnostics if d.severity == "ERROR"]
    if errors:
        raise ValidationError(errors, source)
    return compile_machine(document, machine_type=machine_type)


class LoadCache:
    """Compiled machines by the text they were loaded from and the options that change the result.

    A test suite loads the same definition hundreds of times; parsing, validating and compiling a
    1,000-state machine takes tens of milliseconds, finding it here microseconds. Sharing is safe
    because a ``CompiledMachine`` is never changed after compilation (executions keep their state in
    their own ``ExecutionRun``), and only a definition that compiled is kept, so an invalid one is
    reported in full on every load. Least recently used entries go past ``capacity``.
    """

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, CompiledMachine] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(text: str, machine_type: str, substitutions: Mapping[str, Any] | None) -> Hashable | None:
        """What a load depends on; None when the substitutions cannot be a key (the load is not cached)."""
        replaced = tuple(sorted(substitutions.items())) if substitutions else ()
        try:
            hash(replaced)
        except TypeError:
            return None
        return (text, machine_type, replaced)

    def get(self, key: Hashable | None) -> CompiledMachine | None:
        if key is None:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable | None, compiled: CompiledMachine) -> None:
        if key is None:
            return
        with self._lock:
            self._entries[key] = compiled
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


LOAD_CACHE = LoadCache()
"""The process's cache (``StateMachine.from_json`` and ``from_file``)."""


def load_machine(
    path: Path,
    *,
    name: str,
    machine_type: str = "STANDARD",
    substitutions: Mapping[str, str] | None = None,
    logical_id: str | None = None,
) -> LoadedMachine:
    """Read, check and compile a definition file into a machine tasks can start (``states:startExecution``).

    ``path`` may be a CloudFormation, SAM or CDK template: ``logical_id`` then picks its state
    machine (needed when it has several), whose type the template gives.
    """
    template = sniff_template(path)
    if template is not None:
        resolved = load_state_machine(template, logical_id)
        compiled = compile_definition(
            resolved.document, machine_type=resolved.machine_type, source=resolved.source_name
        )
        return LoadedMachine(name, compiled, resolved.source_name)
    if logical_id is not None:
        raise TemplateError(str(path), f"is a definition, not a template: it has no state machine {logical_id!r}")
    document = load_definition(path, substitutions=substitutions).document
    return LoadedMachine(name, compile_definition(document, machine_type=machine_type, source=str(path)), str(path))
