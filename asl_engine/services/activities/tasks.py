"""The handler of activity Task states: hands each task to a worker and waits for it to be taken."""

from __future__ import annotations

import json
import threading
from typing import Any

from asl_engine.errors import AslEngineError, StatesError
from asl_engine.runtime.handlers import MissingTarget, TaskRequest, UnansweredTask
from asl_engine.services.activities.registry import Activities, Activity, ActivityTask
from asl_engine.services.support import environment_of, state_prefix


class ActivityTaskHandler:
    """Answers ``arn:aws:states:<region>:<account>:activity:<name>`` (see ``registry``)."""

    waits_for_worker = True

    def __init__(self, activities: Activities) -> None:
        self.activities = activities

    def check_request(self, request: TaskRequest) -> None:
        self._activity(request)

    def _activity(self, request: TaskRequest) -> Activity:
        activity = self.activities.find(request.resource.arn)
        if activity is None:
            name = request.resource.action
            raise UnansweredTask(
                "States.Runtime",
                f"{state_prefix(request)}The activity {request.resource.arn} does not exist.",
                state_name=request.state_name,
                resource=request.resource,
                missing=MissingTarget(
                    "activity", name, "activities", f'{name} = "module:function"', f'resources.activity("{name}")'
                ),
            )
        return activity

    def __call__(self, request: TaskRequest) -> Any:
        activity = self._activity(request)
        env = environment_of(request)
        if request.task_token is None:
            raise RuntimeError("an activity task needs the task token its worker answers with")
        taken = env.external_answer()
        task = ActivityTask(
            activity,
            request.task_token,
            json.dumps(request.parameters, separators=(",", ":"), ensure_ascii=False),
            env.callbacks,
            taken,
            request.state_name,
            env.execution_arn,
        )
        return self._wait_for_worker(request, activity, task, taken)

    async def _wait_for_worker(self, request: TaskRequest, activity: Activity, task: ActivityTask, taken: Any) -> None:
        worker = activity.worker
        if worker is not None:
            task.take(activity.worker_name)
        else:
            activity.offer(task)
        try:
            worker_name = await taken.wait()
        finally:
            # The task timed out, or its execution stopped, before a worker took it.
            if task.withdraw():
                activity.withdraw(task)
        request.worker_started(worker_name)
        if worker is not None:
            threading.Thread(target=_work, args=(worker, task), name=f"activity-{activity.name}", daemon=True).start()


def _work(worker: Any, task: ActivityTask) -> None:
    """An in-process worker's run: its return value is the output, what it raises the failure (a
    ``StatesError`` with its error and cause, any other exception named after its class)."""
    try:
        try:
            output = worker(task.input)
        except StatesError as error:
            task.send_failure(error.error, error.cause)
        except Exception as error:
            task.send_failure(type(error).__name__, str(error))
        else:
            task.send_success(output)
    except AslEngineError:
        pass  # the task ended meanwhile (it timed out, its execution stopped): nobody waits for the answer
