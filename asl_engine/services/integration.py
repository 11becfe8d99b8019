"""The one shape of a service integration, as ``services/table.py`` lists them.

Every integration is a package under ``asl_engine/services/`` with the same parts:

* its **routes**: the Task resources it answers (``Route``: kind, service, actions and integration
  patterns), each with the factory of the handler that answers them;
* its **state**: its part of a local account (``Resources``): registered functions, jobs, tables,
  machines, made fresh for each account;
* its **config section**: how it reads its section of ``asl.toml`` into that state;
* its local implementation and its errors (``<Service>.<Exception>`` names and causes as AWS gives them);
* optionally, its part of the **outbox** (what the workflows sent: messages, events, requests).

An ``Integration`` declares the first three; ``Resources`` routes each Task resource through the
table, and ``load_resources`` reads each section through it. Adding a service is one package
and one row in the table (docs/architecture.md has the recipe).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from asl_engine.definition.arns import Pattern, ResourceKind, ResourceRef
from asl_engine.runtime.handlers import HandlerSource, TaskHandler

if TYPE_CHECKING:
    from asl_engine.services.sections import ConfigSection
    from asl_engine.services.tokens import TaskTokens

S = TypeVar("S")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Route:
    """Task resources one handler factory answers: a kind of resource, a service, actions, patterns."""

    kind: ResourceKind
    service: str | None
    """The service (``dynamodb``); None for any service (endpoint routing, whose factory declines the
    services it does not route by returning None)."""
    actions: frozenset[str] | None = None
    """The API actions answered (``invoke``, ``putItem``); None for every action of the service."""
    patterns: tuple[Pattern, ...] = ("request-response",)

    def matches(self, resource: ResourceRef) -> bool:
        return (
            resource.kind == self.kind
            and (self.service is None or resource.service == self.service)
            and (self.actions is None or resource.action in self.actions)
            and resource.pattern in self.patterns
        )


class Account(HandlerSource, Protocol):
    """The local account a handler works in (a ``Resources``): it answers Task states, holds every
    integration's state, so that one service can reach another (SNS delivers to SQS queues), and knows
    the task tokens its executions wait on."""

    def state(self, integration: Integration[T]) -> T: ...

    @property
    def task_tokens(self) -> TaskTokens: ...


HandlerFactory = Callable[[S, ResourceRef, Account], "TaskHandler | None"]
"""(the integration's state in the account, the Task's resource, the account itself) -> its handler,
or None when the integration declines this resource after all (the next route or row is asked).

The account is what the Task states of executions the handler starts are answered by (a nested
state machine's tasks use the same ``Resources``), and where its other services are found."""


@dataclass(frozen=True, slots=True)
class Integration(Generic[S]):
    """One row of the table: a service integration's routes, state and ``asl.toml`` section."""

    name: str
    """The service's name (``lambda``, ``dynamodb``); its state's key in ``Resources``."""
    new_state: Callable[[], S]
    """The service's part of a new, empty account."""
    routes: tuple[tuple[Route, HandlerFactory[S]], ...]
    section: str | None = None
    """Its section in ``asl.toml`` (None: it has none)."""
    configure: Callable[[ConfigSection, S], None] | None = None
    """Reads its section of ``asl.toml`` (already checked to be a table) into its state."""
    describe: Callable[[S], str | None] | None = None
    """Its part of ``repr(Resources)`` (``lambda=['Fn']``), or None to show nothing."""
    outbox: Callable[[S], dict[str, Any]] | None = None
    """Its part of the outbox as JSON (``{"orders-queue": [message, ...]}``): what the workflows sent it,
    for ``Outbox.to_json`` (``asl run --outbox``); None when it keeps nothing of the kind."""

    def handler_for(self, state: S, resource: ResourceRef, account: Account) -> TaskHandler | None:
        for route, factory in self.routes:
            if route.matches(resource):
                handler = factory(state, resource, account)
                if handler is not None:
                    return handler
        return None


class Embedded(Generic[T]):
    """An embedded service of the account (DynamoDB, S3), made on first use: in memory, or stored at
    ``path`` (a SQLite file, a directory) when one is set before that."""

    def __init__(self, create: Callable[[str | os.PathLike[str] | None], T]) -> None:
        self._create = create
        self._service: T | None = None
        self.path: str | os.PathLike[str] | None = None

    def use(self, service: T) -> None:
        """Answer with ``service`` (made by the caller) instead of one made on first use."""
        self._service = service

    @property
    def created(self) -> T | None:
        """The service if it exists already (nothing is made by asking)."""
        return self._service

    def get(self) -> T:
        if self._service is None:
            self._service = self._create(self.path)
        return self._service
