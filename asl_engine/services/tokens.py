"""The task tokens of an account: every token a task of an execution using the account waits on.

Each execution tells the ``TaskTokenDirectory`` among its handler sources (a ``Resources``) when a
token opens and closes; the directory finds the execution a token belongs to, so it can be answered
without knowing the execution: by another execution (``aws-sdk:sfn:sendTaskSuccess``), an activity
worker, a message consumer or a test (``resources.send_task_success(token, output)``).
"""

from __future__ import annotations

import threading
from typing import Any

from asl_engine.errors import AslEngineError
from asl_engine.runtime.callbacks import CallbackRegistry


class InvalidToken(AslEngineError):
    """No task of this account waits on the token (AWS: InvalidToken / TaskDoesNotExist)."""


class TaskTokens:
    """Token -> the callbacks of the execution whose task waits on it."""

    def __init__(self) -> None:
        self._open: dict[str, CallbackRegistry] = {}
        self._lock = threading.Lock()

    def task_token_opened(self, token: str, registry: CallbackRegistry) -> None:
        with self._lock:
            self._open[token] = registry

    def task_token_closed(self, token: str) -> None:
        with self._lock:
            self._open.pop(token, None)

    def outstanding(self) -> list[str]:
        """The tokens tasks wait on right now, oldest first."""
        with self._lock:
            return list(self._open)

    def _registry(self, token: str) -> CallbackRegistry:
        with self._lock:
            registry = self._open.get(token)
        if registry is None:
            raise InvalidToken(f"Invalid Token: no task waits on the token {token[:24]}...")
        return registry

    def wait_until_waiting(self, token: str, timeout: float | None = None) -> bool:
        """Block (real time) until the task holding ``token`` waits for its answer (its timers armed)."""
        with self._lock:
            registry = self._open.get(token)
        return registry is not None and registry.wait_until_waiting(token, timeout)

    def send_task_success(self, token: str, output: Any) -> None:
        """SendTaskSuccess: ``output`` is a JSON value or JSON text."""
        self._registry(token).send_task_success(token, output)

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        self._registry(token).send_task_failure(token, error, cause)

    def send_task_heartbeat(self, token: str) -> None:
        self._registry(token).send_task_heartbeat(token)
