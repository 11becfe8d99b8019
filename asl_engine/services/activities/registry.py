"""Activities: Task states whose work is done by workers that poll for it.

A Task whose ``Resource`` is ``arn:aws:states:<region>:<account>:activity:<name>`` waits until a
worker takes its task (``ActivityStarted``, with the worker's name), then until the worker answers
with the task's token: success (``ActivitySucceeded``), failure (``ActivityFailed``) or heartbeats.
``TimeoutSeconds`` counts from when the task was scheduled, ``HeartbeatSeconds`` from when a worker
took it and from each heartbeat; either failing ends the task with ``States.Timeout``
(``ActivityTimedOut``). An activity must exist (``create``), or the state fails before it is
scheduled with AWS's ``States.Runtime`` "The activity ... does not exist.".

This registry is the Python interface the Step Functions API's activity calls sit on
(CreateActivity, DescribeActivity, ListActivities, DeleteActivity, GetActivityTask)::

    activity = resources.activity("approve-order")
    for task in activity.poll(timeout=5):            # from a test, another thread or a local process
        task.send_success({"approved": task.input["total"] < 100})

An activity may also have an in-process worker, a function of the task's input (``worker=``, or
``[activities] approve-order = "module:function"`` in ``asl.toml``): it takes each task at once, on
a thread of its own; what it returns is the task's output, what it raises its failure.
"""

from __future__ import annotations

import builtins
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asl_engine.errors import AslEngineError, ConfigurationError
from asl_engine.runtime.callbacks import CallbackRegistry
from asl_engine.runtime.environment import ExternalAnswer

_INVALID_NAME = set(' ?*<>{}[]"#%\\^|~`$&,;:/')
ActivityWorker = Callable[[Any], Any]
"""An in-process worker: ``worker(input) -> output``; raising fails the task."""
DEFAULT_WORKER_NAME = "asl-engine"


class ActivityDoesNotExist(AslEngineError):
    """No activity has this ARN (AWS: ActivityDoesNotExist)."""


class ActivityTask:
    """A task handed to a worker: its input and the token to answer it with (any thread may answer)."""

    def __init__(
        self,
        activity: Activity,
        token: str,
        input_text: str,
        callbacks: CallbackRegistry,
        taken: ExternalAnswer[str | None],
        state_name: str,
        execution_arn: str,
    ) -> None:
        self.activity = activity
        self.token = token
        self.input_text = input_text
        """The input as JSON text, as GetActivityTask returns it."""
        self.state_name = state_name
        self.execution_arn = execution_arn
        self._callbacks = callbacks
        self._taken = taken

    def __repr__(self) -> str:
        return f"<ActivityTask {self.activity.name} state={self.state_name!r}>"

    @property
    def input(self) -> Any:
        """The task's input (the state's effective input), parsed."""
        return json.loads(self.input_text)

    def take(self, worker_name: str | None) -> bool:
        """Hand the task to a worker (``ActivityStarted``); False if it is no longer waiting."""
        return self._taken.give(worker_name)

    def withdraw(self) -> bool:
        return self._taken.withdraw()

    @property
    def waiting(self) -> bool:
        return self._taken.open

    def send_success(self, output: Any) -> None:
        """SendTaskSuccess: ``output`` is a JSON value or JSON text."""
        self._callbacks.send_task_success(self.token, output)

    def send_failure(self, error: str | None = None, cause: str | None = None) -> None:
        """SendTaskFailure."""
        self._callbacks.send_task_failure(self.token, error, cause)

    def send_heartbeat(self) -> None:
        """SendTaskHeartbeat: restarts the ``HeartbeatSeconds`` countdown."""
        self._callbacks.send_task_heartbeat(self.token)


@dataclass(frozen=True, slots=True)
class ActivityInfo:
    """DescribeActivity's answer."""

    arn: str
    name: str
    creation_date: datetime


class Activity:
    """One activity: the tasks waiting for a worker, and its in-process worker if it has one."""

    def __init__(self, name: str, arn: str, created: float, worker: ActivityWorker | None = None) -> None:
        self.name = name
        self.arn = arn
        self.created = created
        self.worker = worker
        self.worker_name = DEFAULT_WORKER_NAME
        self._waiting: deque[ActivityTask] = deque()
        self._arrived = threading.Condition()

    def __repr__(self) -> str:
        return f"<Activity {self.name}>"

    @property
    def info(self) -> ActivityInfo:
        return ActivityInfo(self.arn, self.name, datetime.fromtimestamp(self.created, UTC))

    def offer(self, task: ActivityTask) -> None:
        """A task waits for a worker."""
        with self._arrived:
            self._waiting.append(task)
            self._arrived.notify_all()

    def withdraw(self, task: ActivityTask) -> None:
        with self._arrived:
            if task in self._waiting:
                self._waiting.remove(task)

    def pending(self) -> int:
        """Tasks waiting for a worker right now."""
        with self._arrived:
            return sum(1 for task in self._waiting if task.waiting)

    def get_task(self, timeout: float = 60.0, worker_name: str | None = None) -> ActivityTask | None:
        """GetActivityTask: take the oldest waiting task, waiting up to ``timeout`` real seconds for one
        (AWS holds the poll open for 60); None when none came."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._arrived:
            while True:
                while self._waiting:
                    task = self._waiting.popleft()
                    if task.take(worker_name):
                        return task
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._arrived.wait(remaining)

    def poll(self, timeout: float = 60.0, worker_name: str | None = None) -> Iterator[ActivityTask]:
        """Take tasks as they come, until none has come for ``timeout`` real seconds."""
        while True:
            task = self.get_task(timeout, worker_name)
            if task is None:
                return
            yield task


class Activities:
    """The activities of one account."""

    def __init__(self) -> None:
        self._by_name: dict[str, Activity] = {}
        self._lock = threading.Lock()

    def create(
        self,
        name: str,
        *,
        region: str = "us-east-1",
        account: str = "123456789012",
        worker: ActivityWorker | None = None,
        now: float | None = None,
    ) -> Activity:
        """CreateActivity: the activity ``name`` (the existing one if it exists: the call is idempotent)."""
        if not isinstance(name, str) or not 1 <= len(name) <= 80 or _INVALID_NAME & set(name):
            raise ConfigurationError(
                f"invalid activity name {name!r}: 1 to 80 characters, without whitespace, brackets, wildcards or "
                'any of " # % \\ ^ | ~ ` $ & , ; : /'
            )
        if worker is not None and not callable(worker):
            raise ConfigurationError(f"activity {name!r}: the worker must be callable, got {worker!r}")
        with self._lock:
            activity = self._by_name.get(name)
            if activity is None:
                arn = f"arn:aws:states:{region}:{account}:activity:{name}"
                activity = self._by_name[name] = Activity(name, arn, time.time() if now is None else now, worker)
            elif worker is not None:
                activity.worker = worker
            return activity

    def find(self, name_or_arn: str) -> Activity | None:
        name = name_or_arn.rsplit(":activity:", 1)[-1]
        with self._lock:
            return self._by_name.get(name)

    def describe(self, arn: str) -> ActivityInfo:
        """DescribeActivity."""
        activity = self.find(arn)
        if activity is None or (":activity:" in arn and activity.arn != arn and not _same_name_arn(arn, activity)):
            raise ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
        return activity.info

    def list(self) -> builtins.list[ActivityInfo]:
        """ListActivities: every activity, oldest first."""
        with self._lock:
            return [activity.info for activity in self._by_name.values()]

    def delete(self, name_or_arn: str) -> None:
        """DeleteActivity (a task already waiting keeps waiting for a worker that can no longer find it)."""
        name = name_or_arn.rsplit(":activity:", 1)[-1]
        with self._lock:
            self._by_name.pop(name, None)

    def names(self) -> builtins.list[str]:
        with self._lock:
            return [*self._by_name]


def _same_name_arn(arn: str, activity: Activity) -> bool:
    return arn.rsplit(":activity:", 1)[-1] == activity.name
