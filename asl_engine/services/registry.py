"""``Resources``: the local stand-in for an AWS account that Task states call.

It holds Lambda functions, Glue jobs, DynamoDB tables, state machines and generic handlers, and
resolves each Task's ``Resource`` to the integration that answers it:

============================================================  =====================================
Resource                                                        Answered by
============================================================  =====================================
``arn:aws:lambda:<region>:<account>:function:<name>[:<q>]``     the registered Lambda function
``arn:aws:states:::lambda:invoke[.waitForTaskToken]``            the function named by FunctionName
``arn:aws:states:::glue:startJobRun[.sync]``                     the registered Glue job
``arn:aws:states:::dynamodb:getItem|putItem|updateItem|...``    the embedded DynamoDB
``arn:aws:states:::aws-sdk:dynamodb:<action>``                   the embedded DynamoDB
``arn:aws:states:::states:startExecution[.sync|.sync:2|...]``    the registered state machine
``arn:aws:states:::aws-sdk:s3:getObject|putObject|...``          the embedded S3
``arn:aws:states:::s3:getObject|listObjectsV2|putObject``         the embedded S3 (a Map's ItemReader/ResultWriter)
``arn:aws:states:::aws-sdk:sfn:<action>``                         this account's machines, executions, tokens
``arn:aws:states:<region>:<account>:activity:<name>``             the activity's workers
``arn:aws:states:::sqs:sendMessage``                              the embedded SQS
``arn:aws:states:::sns:publish``                                  the embedded SNS (delivering to SQS)
``arn:aws:states:::events:putEvents``                             the embedded EventBridge (rules to SQS)
``arn:aws:states:::aws-sdk:secretsmanager:<action>``              the embedded Secrets Manager
``arn:aws:states:::apigateway:invoke``                            local API routes
``arn:aws:states:::http:invoke``                                  local endpoints, or the real one if allowed
any service listed under ``endpoints``                           that endpoint, through boto3
anything registered with ``handler(resource, fn)``              ``fn(request)``
============================================================  =====================================

The integrations are the rows of ``services/table.py``. Generic handlers win over them (so any of
them can be replaced); mocks
passed to ``execute`` win over everything, state by state. A resource none of these answers is
left to the next handler source, and the engine fails the state with a message saying how to
register one.

A ``Resources`` is also a ``TaskTokenDirectory``: it knows the task tokens of the executions it
answers, so ``send_task_success(token, ...)`` reaches whichever execution waits on the token.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast, overload

from asl_engine.definition.arns import ResourceRef, UnknownResourceError, parse_resource
from asl_engine.definition.templates import ResourceName
from asl_engine.definition.templates.source import STATE_MACHINE_TYPES
from asl_engine.errors import ConfigurationError
from asl_engine.runtime.callbacks import CallbackRegistry
from asl_engine.runtime.handlers import HandlerFunction, TaskHandler
from asl_engine.runtime.starter import StartableMachine
from asl_engine.services.activities import Activities, Activity
from asl_engine.services.activities.registry import ActivityWorker
from asl_engine.services.apigateway import ApiGatewayService
from asl_engine.services.dynamodb import DynamoDBService, TableSpec
from asl_engine.services.dynamodb.accounts import add_table
from asl_engine.services.endpoints import Endpoints
from asl_engine.services.events import EventsService
from asl_engine.services.glue import GlueJob, GlueJobFunction, GlueService
from asl_engine.services.http import HttpService
from asl_engine.services.integration import Integration
from asl_engine.services.lambda_ import LambdaFunctions, LambdaHandler
from asl_engine.services.lambda_.functions import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS
from asl_engine.services.outbox import Outbox
from asl_engine.services.s3 import S3Service
from asl_engine.services.s3.accounts import add_bucket, add_object
from asl_engine.services.secretsmanager import Secret, SecretsManagerService
from asl_engine.services.secretsmanager.errors import SecretsError
from asl_engine.services.sns import SnsService
from asl_engine.services.sqs import SqsService
from asl_engine.services.stepfunctions import StateMachines
from asl_engine.services.table import (
    ACTIVITIES,
    APIGATEWAY,
    DYNAMODB,
    ENDPOINTS,
    EVENTS,
    GLUE,
    HTTP,
    INTEGRATIONS,
    LAMBDA,
    S3,
    SECRETS_MANAGER,
    SNS,
    SQS,
    STEP_FUNCTIONS,
)
from asl_engine.services.tokens import TaskTokens

F = TypeVar("F", bound=Callable[..., Any])
_FUNCTION_TYPES = frozenset({"AWS::Lambda::Function", "AWS::Serverless::Function"})
S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class PortableResources:
    """A ``Resources`` as another process rebuilds it (``Resources.portable``); picklable when its
    functions are functions of importable modules."""

    lambdas: tuple[tuple[str, LambdaHandler, float, int], ...] = ()
    glue_jobs: tuple[GlueJob, ...] = ()
    handlers: tuple[tuple[str, TaskHandler], ...] = ()
    s3_path: str | None = None
    dynamodb_path: str | None = None
    left_behind: tuple[str, ...] = ()
    """Services whose content stays in this process: ``s3`` and ``dynamodb`` held in memory,
    ``states`` (registered state machines)."""

    def build(self) -> Resources:
        resources = Resources(s3_path=self.s3_path, dynamodb_path=self.dynamodb_path)
        for key, handler, timeout, memory_size in self.lambdas:
            resources.lambda_function(key, handler, timeout=timeout, memory_size=memory_size)
        for job in self.glue_jobs:
            resources.glue.add_job(job)
        for resource, function in self.handlers:
            resources.handler(resource, function)
        return resources


@dataclass(frozen=True, slots=True)
class ExecutorConfig:
    """An ``asl.toml`` ``[executor]`` section: where Distributed Map children run (read by ``asl_engine.executors``)."""

    use: str
    batch_size: int | None = None
    retries: int | None = None
    where: str = "executor"
    """Where it was configured, for error messages (``asl.toml: [executor] use``)."""
    upload: bool = True
    """For ``dask://HOST:PORT``: send the project directory to the workers (false: it is at the same path there)."""


class Resources:
    """A local AWS account: Lambda functions, Glue jobs, DynamoDB tables, S3 objects, state machines,
    activities, SQS queues, SNS topics, EventBridge buses, secrets, API routes, HTTP endpoints, handlers.

    Pass it to ``StateMachine.execute(..., resources=resources)``. ``dynamodb`` is the embedded
    DynamoDB (created in memory on first use, or in the SQLite file ``dynamodb_path``); ``s3`` the
    embedded S3 (in memory, or in the directory ``s3_path``: one subdirectory per bucket).
    ``endpoints`` sends services' calls to real endpoints instead (``{"dynamodb":
    "http://localhost:8000", "default": "aws"}``; nothing is sent anywhere otherwise).
    Registrations may be added between executions; runs, executions, messages and table data persist
    for the lifetime of the object, as they would in an account. ``integrations`` are the services it
    offers: every row of ``asl_engine.services.table.INTEGRATIONS`` unless given.
    """

    def __init__(
        self,
        *,
        dynamodb: DynamoDBService | None = None,
        dynamodb_path: str | os.PathLike[str] | None = None,
        s3: S3Service | None = None,
        s3_path: str | os.PathLike[str] | None = None,
        endpoints: Mapping[str, str] | None = None,
        integrations: Sequence[Integration[Any]] = INTEGRATIONS,
    ) -> None:
        if dynamodb is not None and dynamodb_path is not None:
            raise ConfigurationError("pass either dynamodb or dynamodb_path, not both")
        if s3 is not None and s3_path is not None:
            raise ConfigurationError("pass either s3 or s3_path, not both")
        self._integrations = tuple(integrations)
        self._states: dict[str, Any] = {integration.name: integration.new_state() for integration in self._integrations}
        self._handlers: dict[str, TaskHandler] = {}
        self._handlers_by_action: dict[tuple[str, str, str], TaskHandler] = {}
        self._cache: dict[str, TaskHandler | None] = {}
        self.executor_config: ExecutorConfig | None = None
        """Its ``[executor]`` section: the executor of executions it answers, unless they name another."""
        self.source: os.PathLike[str] | None = None
        """The resources file this was loaded from (``load_resources``): a durable execution's store
        remembers it, to load the same handlers when the execution is resumed in another process, and
        the worker processes of a Distributed Map load it again (``asl_engine.executors``)."""
        self._tokens = TaskTokens()
        if endpoints:
            for service, target in endpoints.items():
                self.endpoints.route(service, target)
        if dynamodb is not None:
            self.state(DYNAMODB).use(dynamodb)
        if dynamodb_path is not None:
            self.state(DYNAMODB).path = dynamodb_path
        if s3 is not None:
            self.state(S3).use(s3)
        if s3_path is not None:
            self.state(S3).path = s3_path

    def __repr__(self) -> str:
        parts = []
        for integration in self._integrations:
            described = integration.describe(self._states[integration.name]) if integration.describe else None
            if described is not None:
                parts.append(described)
        parts.append(f"handlers={list(self._handlers)}")
        return f"<Resources {' '.join(parts)}>"

    @property
    def integrations(self) -> tuple[Integration[Any], ...]:
        """The services this account offers (rows of the table), in the order they answer."""
        return self._integrations

    def state(self, integration: Integration[S]) -> S:
        """``integration``'s part of this account (its functions, jobs, tables or machines)."""
        try:
            return cast(S, self._states[integration.name])
        except KeyError:
            raise ConfigurationError(f"this Resources has no {integration.name} integration") from None

    @property
    def lambdas(self) -> LambdaFunctions:
        """The registered Lambda functions."""
        return self.state(LAMBDA).functions

    @property
    def glue(self) -> GlueService:
        """The registered Glue jobs and their runs."""
        return self.state(GLUE)

    @property
    def state_machines(self) -> StateMachines:
        """The registered state machines and the executions tasks started on them."""
        return self.state(STEP_FUNCTIONS)

    @property
    def sqs(self) -> SqsService:
        """The embedded SQS: queues and the messages sent to them (``messages``, ``on_message``, ``declare``)."""
        return self.state(SQS)

    @property
    def sns(self) -> SnsService:
        """The embedded SNS: topics, what was published (``published``) and subscriptions (``subscribe``)."""
        return self.state(SNS)

    @property
    def events(self) -> EventsService:
        """The embedded EventBridge: buses, the events put on them (``put``) and rules (``rule``)."""
        return self.state(EVENTS)

    @property
    def secretsmanager(self) -> SecretsManagerService:
        """The embedded Secrets Manager."""
        return self.state(SECRETS_MANAGER)

    @property
    def apigateway(self) -> ApiGatewayService:
        """Local API Gateway routes (``route``) and the requests made to them (``requests``)."""
        return self.state(APIGATEWAY)

    @property
    def http(self) -> HttpService:
        """The HTTP task's local endpoints (``endpoint``), what may be called for real (``allow``), requests."""
        return self.state(HTTP)

    @property
    def activities(self) -> Activities:
        """The activities (CreateActivity, DescribeActivity, ListActivities, DeleteActivity, GetActivityTask)."""
        return self.state(ACTIVITIES)

    @property
    def endpoints(self) -> Endpoints:
        """Services whose calls go to an endpoint (``route(service, url)``) rather than being answered here."""
        return self.state(ENDPOINTS)

    @property
    def outbox(self) -> Outbox:
        """What the workflows sent: messages, published messages, events, API and HTTP requests."""
        return Outbox(self)

    @property
    def task_tokens(self) -> TaskTokens:
        """The task tokens the executions answered by this account wait on right now."""
        return self._tokens

    # -- task tokens (the TaskTokenDirectory protocol) -------------------------------------------------

    def task_token_opened(self, token: str, registry: CallbackRegistry) -> None:
        self._tokens.task_token_opened(token, registry)

    def task_token_closed(self, token: str) -> None:
        self._tokens.task_token_closed(token)

    def send_task_success(self, token: str, output: Any) -> None:
        """SendTaskSuccess to whichever execution of this account waits on ``token`` (any thread)."""
        self._tokens.send_task_success(token, output)

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        """SendTaskFailure (any thread)."""
        self._tokens.send_task_failure(token, error, cause)

    def send_task_heartbeat(self, token: str) -> None:
        """SendTaskHeartbeat (any thread)."""
        self._tokens.send_task_heartbeat(token)

    # -- registration --------------------------------------------------------------------------------

    def activity(self, name: str, worker: ActivityWorker | None = None) -> Activity:
        """The activity ``name``, created if needed (CreateActivity); ``worker(input) -> output`` answers
        its tasks in-process. Poll it from a worker: ``for task in activity.poll(timeout=5): ...``."""
        self._invalidate()
        return self.activities.create(name, worker=worker)

    def secret(self, name: str, value: str | bytes, *, description: str | None = None) -> Secret:
        """Create the secret ``name`` in ``secretsmanager`` with ``value`` (text, or bytes for a binary secret)."""
        try:
            return self.secretsmanager.create(
                name, region="us-east-1", account="123456789012", now=round(time.time(), 3), rng=random.Random(name),
                string_value=value if isinstance(value, str) else None,
                binary_value=value if isinstance(value, bytes) else None, description=description,
            )  # fmt: skip
        except SecretsError as error:
            raise ConfigurationError(f"secret({name!r}): {error.message}") from None

    @overload
    def lambda_function(
        self, name: str, handler: None = None, *, timeout: float = ..., memory_size: int = ...
    ) -> Callable[[F], F]: ...

    @overload
    def lambda_function(
        self, name: str, handler: LambdaHandler, *, timeout: float = ..., memory_size: int = ...
    ) -> LambdaHandler: ...

    def lambda_function(
        self,
        name: str,
        handler: LambdaHandler | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        memory_size: int = DEFAULT_MEMORY_MB,
    ) -> Any:
        """Register ``handler(event, context)`` as the Lambda function ``name``.

        ``name`` is a function name (``ProcessOrder``), a name with a qualifier
        (``ProcessOrder:prod``, answering that alias or version only) or a function ARN (answering
        that region and account only). ``timeout`` is the function's timeout in seconds (Lambda's
        default, 3, unless given), enforced under a real clock; ``memory_size`` is reported in the
        context. Used bare, it is a decorator that returns the function unchanged.
        """
        if handler is not None:
            self._invalidate()
            self.lambdas.add(name, handler, timeout=timeout, memory_size=memory_size)
            return handler

        def register(function: F) -> F:
            self._invalidate()
            self.lambdas.add(name, function, timeout=timeout, memory_size=memory_size)
            return function

        return register

    @overload
    def glue_job(
        self,
        name: str,
        run: None = None,
        *,
        max_concurrent_runs: int = ...,
        default_arguments: Mapping[str, str] = ...,
        glue_version: str = ...,
        worker_type: str = ...,
        number_of_workers: int = ...,
        timeout: int = ...,
    ) -> Callable[[F], F]: ...

    @overload
    def glue_job(
        self,
        name: str,
        run: GlueJobFunction,
        *,
        max_concurrent_runs: int = ...,
        default_arguments: Mapping[str, str] = ...,
        glue_version: str = ...,
        worker_type: str = ...,
        number_of_workers: int = ...,
        timeout: int = ...,
    ) -> GlueJobFunction: ...

    def glue_job(
        self,
        name: str,
        run: GlueJobFunction | None = None,
        *,
        max_concurrent_runs: int = 1,
        default_arguments: Mapping[str, str] | None = None,
        glue_version: str = "4.0",
        worker_type: str = "G.1X",
        number_of_workers: int = 10,
        timeout: int = 2880,
    ) -> Any:
        """Register ``run(arguments)`` as the Glue job ``name`` (a decorator when ``run`` is omitted).

        The job receives ``default_arguments`` overlaid with the run's ``Arguments``; it succeeds
        by returning and fails by raising. ``max_concurrent_runs`` is the job's MaxConcurrentRuns.
        """

        def register(function: Any) -> Any:
            self._invalidate()
            self.glue.add_job(GlueJob(
                name, function, max_concurrent_runs, dict(default_arguments or {}), glue_version, worker_type,
                number_of_workers, timeout,
            ))  # fmt: skip
            return function

        return register(run) if run is not None else register

    @property
    def dynamodb(self) -> DynamoDBService:
        """The embedded DynamoDB answering this account's DynamoDB tasks."""
        return self.state(DYNAMODB).get()

    def dynamodb_table(
        self, spec: TableSpec, items: Iterable[Mapping[str, Any]] | None = None, *, replace: bool = False
    ) -> None:
        """Create a table (with seed items, typed or plain) in ``dynamodb``."""
        add_table(self.state(DYNAMODB), spec, items, replace=replace)

    @property
    def s3(self) -> S3Service:
        """The embedded S3 answering ItemReaders, ResultWriters and ``aws-sdk:s3`` tasks."""
        return self.state(S3).get()

    def s3_bucket(self, name: str) -> None:
        """Create the bucket ``name`` in ``s3`` (a ResultWriter needs its bucket to exist, as on AWS)."""
        add_bucket(self.state(S3), name)

    def s3_object(self, bucket: str, key: str, body: bytes | str, *, content_type: str | None = None) -> None:
        """Put an object (text is stored as UTF-8) in ``s3``, creating its bucket if needed."""
        add_object(self.state(S3), bucket, key, body, content_type=content_type)

    def state_machine(
        self, machine: StartableMachine, *, name: str | None = None, arn: str | None = None
    ) -> StartableMachine:
        """Register a machine for ``states:startExecution``, found by ARN or by name.

        ``name`` defaults to the machine's; ``arn`` pins the ARN it answers to (otherwise its name
        in the calling execution's region and account).
        """
        self._invalidate()
        return self.state_machines.add(machine, name=name, arn=arn)

    def add_template_aliases(self, names: Iterable[ResourceName]) -> None:
        """Let what is registered under a template resource's logical id answer its physical name too.

        ``names`` are a template's resources as ``StateMachine.from_template`` resolved them
        (``machine.template.resource_names``). A Lambda function or state machine registered under
        one of a resource's aliases (its logical id, or for CDK its construct id) also answers the
        name the template gives it (``FunctionName: !Sub "${AWS::StackName}-process"``), unless
        something is registered under that name already.
        """
        for name in names:
            if name.type in _FUNCTION_TYPES and self.lambdas.find_exact(name.physical_name) is None:
                function = next(filter(None, map(self.lambdas.find_exact, name.aliases)), None)
                if function is not None:
                    self.lambda_function(
                        name.physical_name, function.handler, timeout=function.timeout, memory_size=function.memory_size
                    )
            elif name.type in STATE_MACHINE_TYPES and name.physical_name not in self.state_machines.names():
                machine = next(filter(None, map(self.state_machines.by_name, name.aliases)), None)
                if machine is not None:
                    self.state_machine(machine, name=name.physical_name)

    @overload
    def handler(self, resource: str, function: None = None) -> Callable[[F], F]: ...

    @overload
    def handler(self, resource: str, function: HandlerFunction) -> HandlerFunction: ...

    def handler(self, resource: str, function: HandlerFunction | None = None) -> Any:
        """Answer Task states whose Resource is ``resource`` with ``function(request)``.

        ``function`` receives the ``TaskRequest`` and returns the raw result (or raises
        ``StatesError``, or returns a coroutine for work that waits). The exact Resource string
        is matched first; a registration also answers the same service action with another
        pattern suffix, region or account (``...:sqs:sendMessage`` answers
        ``...:sqs:sendMessage.waitForTaskToken``).
        """
        try:
            ref = parse_resource(resource)
        except UnknownResourceError as error:
            raise ConfigurationError(f"handler({resource!r}): {error}") from None

        def register(fn: Any) -> Any:
            if not callable(fn):
                raise ConfigurationError(f"handler({resource!r}): the handler must be callable, got {fn!r}")
            self._invalidate()
            self._handlers[resource] = fn
            self._handlers_by_action[(ref.kind, ref.service, ref.action)] = fn
            return fn

        return register(function) if function is not None else register

    # -- in another process ----------------------------------------------------------------------------

    def portable(self) -> PortableResources:
        """What another process needs to rebuild these resources (a worker running Distributed Map
        children): the registered functions, jobs and handlers (sent by reference, so they must be
        importable there), and where the embedded S3 and DynamoDB are stored. What cannot travel is
        listed in ``left_behind``: data held in memory here, registered state machines."""
        left_behind = []
        s3, dynamodb = self.state(S3), self.state(DYNAMODB)
        if s3.path is None and s3.created is not None:
            left_behind.append("s3")
        if dynamodb.path is None and dynamodb.created is not None:
            left_behind.append("dynamodb")
        if self.state_machines.names():
            left_behind.append("states")
        return PortableResources(
            lambdas=tuple(
                (key, function.handler, function.timeout, function.memory_size)
                for key, function in self.lambdas.registrations()
            ),
            glue_jobs=tuple(self.glue.jobs()),
            handlers=tuple(self._handlers.items()),
            s3_path=None if s3.path is None else os.fspath(s3.path),
            dynamodb_path=None if dynamodb.path is None else os.fspath(dynamodb.path),
            left_behind=tuple(left_behind),
        )

    def stored_paths(self) -> list[Path]:
        """Where the embedded S3 and DynamoDB keep their data on disk (what workers share by path)."""
        paths = (self.state(S3).path, self.state(DYNAMODB).path)
        return [Path(path) for path in paths if path is not None]

    # -- resolution ----------------------------------------------------------------------------------

    def handler_for(self, state_name: str, resource: ResourceRef) -> TaskHandler | None:
        """The integration answering ``resource`` (the HandlerSource protocol); cached per Resource."""
        try:
            return self._cache[resource.arn]
        except KeyError:
            handler = self._resolve(resource)
            self._cache[resource.arn] = handler
            return handler

    def _invalidate(self) -> None:
        self._cache.clear()

    def _resolve(self, resource: ResourceRef) -> TaskHandler | None:
        generic = self._handlers.get(resource.arn) or self._handlers_by_action.get(
            (resource.kind, resource.service, resource.action)
        )
        if generic is not None:
            return generic
        for integration in self._integrations:
            handler = integration.handler_for(self._states[integration.name], resource, self)
            if handler is not None:
                return handler
        return None
