"""Replaying the messaging, API, secrets, activity and Step Functions calls of a recorded case through
the embedded services (the ``handlers`` category; see ``handler_replay``).

What AWS did is reproduced one level lower, as the recorded test did it:

* the queues and topics the setup created exist (a topic the setup deleted does not: the list is
  closed), a topic the setup subscribed a queue to delivers to it, and a FIFO topic is named ``.fifo``;
  the recordings hid their names behind placeholders (``sqs_queue_url``, ``topic-arn``), which are
  replaced by the local queue's URL or topic's ARN (``resource_names``);
* a ``.waitForTaskToken`` task is answered as the recorded test answered it: a consumer of the queue
  finds the token in the message and sends the recorded outcome (success with the recorded output,
  the token placeholders in it replaced by the token; or failure with the recorded error and cause);
* API Gateway routes are the resources and methods the setup created, answered by the recorded
  Lambda function (``id_function``: it returns the request body);
* an activity with recorded events has a worker that answers as the recorded worker did, under the
  recorded worker name;
* EventBridge delivers events to a queue when the recorded test made it (``events_to_sqs_queue``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from asl_engine.conformance.replay import placeholder_resource_name

if TYPE_CHECKING:
    from asl_engine import VirtualClock
    from asl_engine.services import Resources
    from asl_engine.services.http import HttpRequest
    from asl_engine.services.sqs import SqsMessage

REGION = "us-east-1"
ACCOUNT = "111111111111"
REPLAYED_EXTERNAL_ACTIONS = frozenset(
    {
        "sfn_activity_consumer",
        "sqs_send_task_success_state_machine",
        "sqs_send_task_failure_state_machine",
        "events_to_sqs_queue",
    }
)
"""What recorded tests did from outside an execution that this replay does too."""
_TOKEN_PLACEHOLDER = re.compile(r"task_token(_\d+)?\Z")
EVENTS_QUEUE = "replayed-events-target"

Outcome = Mapping[str, Any]


def _calls(setup: Iterable[Mapping[str, Any]], name: str) -> list[Mapping[str, Any]]:
    return [call for call in setup if call.get("call") == name]


def _kwargs(call: Mapping[str, Any]) -> Mapping[str, Any]:
    kwargs = call.get("kwargs")
    return kwargs if isinstance(kwargs, Mapping) else {}


def _recorded_parameters(task_results: Iterable[Mapping[str, Any]], kind: str, name: str) -> list[str]:
    found = []
    for event in task_results:
        if event.get("event") == "TaskScheduled" and event.get("resourceType") == kind:
            value = (event.get("parameters") or {}).get(name)
            if isinstance(value, str):
                found.append(value)
    return found


def resource_names(case: Mapping[str, Any], sanitize: Callable[[Any], Any]) -> dict[str, str]:
    """Strings of the sanitized input and definition that stand for a queue URL or topic ARN -> the local
    queue's URL or topic's ARN."""
    names: dict[str, str] = {}
    setup = case.get("setup_calls") or []
    results = case.get("task_results") or []
    queue_names = [
        str(sanitize(_kwargs(call).get("QueueName") or "replayed-queue"))
        for call in _calls(setup, "fixture:sqs_create_queue")
    ]
    for url in dict.fromkeys(sanitize(u) for u in _recorded_parameters(results, "sqs", "QueueUrl")):
        if "://" not in url:
            queue = queue_names[0] if queue_names else url
            names[url] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{queue}"
    fifo = any(
        str(_kwargs(call).get("Name", "")).endswith(".fifo") for call in _calls(setup, "fixture:sns_create_topic")
    )
    for arn in dict.fromkeys(sanitize(a) for a in _recorded_parameters(results, "sns", "TopicArn")):
        local = arn if arn.startswith("arn:") else f"arn:aws:sns:{REGION}:{ACCOUNT}:{arn}"
        if fifo and not local.endswith(".fifo"):
            local += ".fifo"
        if local != arn:
            names[arn] = local
    return names


def rename(value: Any, names: Mapping[str, str]) -> Any:
    """``value`` with every string that is a key of ``names`` replaced by its local name."""
    if not names:
        return value
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [rename(item, names) for item in value]
    if isinstance(value, dict):
        return {key: rename(item, names) for key, item in value.items()}
    return value


def let_time_out(resources: Resources, clock: VirtualClock, token: str, scheduled: Mapping[str, Any]) -> None:
    """As a recorded task that was never answered: once it waits, let the time its timeouts allow pass
    (on another thread, as a test would advance the clock)."""
    seconds = max(
        (value for value in (scheduled.get("timeoutInSeconds"), scheduled.get("heartbeatInSeconds")) if value),
        default=99_999_999,
    )

    def advance() -> None:
        if resources.task_tokens.wait_until_waiting(token, timeout=10.0):
            clock.advance(float(seconds))

    threading.Thread(target=advance, name="replay-clock", daemon=True).start()


class TokenAnswers:
    """Answers ``.waitForTaskToken`` tasks with their recorded outcomes, as a consumer of the queues."""

    def __init__(self, resources: Resources, clock: VirtualClock, placeholders: Iterable[str]) -> None:
        self.resources = resources
        self.clock = clock
        self.outcomes: dict[str, list[tuple[Outcome, Mapping[str, Any]]]] = {}
        self.placeholders = {name for name in placeholders if "task_token" in name}

    def expect(self, state: str, outcome: Outcome, scheduled: Mapping[str, Any]) -> None:
        self.outcomes.setdefault(state, []).append((outcome, scheduled))

    def consume(self, message: SqsMessage) -> None:
        pending = self.outcomes.get(message.sent_by.state)
        if not pending:
            return
        outstanding = self.resources.task_tokens.outstanding()
        token = next((t for t in outstanding if t in message.body), None)
        outcome, scheduled = pending[0]
        if outcome.get("event", "").endswith("TimedOut"):
            # No answer came (the message may not even carry the token): the task's own token times out.
            pending.pop(0)
            waiting = token or (outstanding[-1] if outstanding else None)
            if waiting is not None:
                let_time_out(self.resources, self.clock, waiting, scheduled)
            return
        if token is None:
            return
        pending.pop(0)
        if outcome.get("event") == "TaskSucceeded":
            self.resources.send_task_success(token, self._with_token(outcome.get("output"), token))
        elif outcome.get("event") == "TaskFailed":
            self.resources.send_task_failure(token, outcome.get("error"), _text(outcome.get("cause")))

    def _with_token(self, value: Any, token: str) -> Any:
        if isinstance(value, str):
            return token if _TOKEN_PLACEHOLDER.match(value) or value in self.placeholders else value
        if isinstance(value, list):
            return [self._with_token(item, token) for item in value]
        if isinstance(value, dict):
            return {key: self._with_token(item, token) for key, item in value.items()}
        return value


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    import json

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def set_up_services(
    resources: Resources, clock: VirtualClock, case: Mapping[str, Any], sanitize: Callable[[Any], Any]
) -> TokenAnswers:
    """Queues, topics, subscriptions, API routes and event rules as the case's setup made them; returns
    the consumer that answers ``.waitForTaskToken`` tasks (the caller tells it the recorded outcomes)."""
    setup = case.get("setup_calls") or []
    names = resource_names(case, sanitize)
    answers = TokenAnswers(resources, clock, case.get("placeholders") or [])
    queues = [url.rsplit("/", 1)[-1] for url in names.values() if "://" in url]
    for call in _calls(setup, "fixture:sqs_create_queue"):
        queue = _kwargs(call).get("QueueName")
        queues.append(re.sub(r"[^A-Za-z0-9_-]+", "_", str(queue)).strip("_") if queue else "replayed-queue")
    recorded = _recorded_parameters(case.get("task_results") or [], "sns", "TopicArn")
    topics = sorted({rename(sanitize(arn), names).rsplit(":", 1)[-1] for arn in recorded})
    if _calls(setup, "aws_client.sns.delete_topic"):
        resources.sns.closed = True  # the recorded topic was deleted before the execution
    else:
        for topic in topics:
            resources.sns.create_topic(topic)
        if _calls(setup, "aws_client.sns.subscribe"):
            for topic in topics:
                for queue in dict.fromkeys(queues):
                    resources.sns.subscribe(topic, queue)
    if "events_to_sqs_queue" in (case.get("external_actions") or []):
        resources.events.rule("replayed-events-to-sqs", {"source": [{"prefix": ""}]}, [EVENTS_QUEUE])
        queues.append(EVENTS_QUEUE)
    for queue in dict.fromkeys(queues):
        resources.sqs.on_message(queue, answers.consume)
    _set_up_api_routes(resources, setup)
    return answers


def _set_up_api_routes(resources: Resources, setup: Iterable[Mapping[str, Any]]) -> None:
    """The resources and methods the setup created on its REST API, answered by its Lambda function."""
    setup = list(setup)
    functions = [str(_kwargs(call).get("handler_file", "")) for call in _calls(setup, "fixture:create_lambda_function")]
    if not any(path.endswith("id_function.py") for path in functions):
        return
    paths = [str(_kwargs(call).get("pathPart")) for call in _calls(setup, "aws_client.apigateway.create_resource")]
    methods = [str(_kwargs(call).get("httpMethod")) for call in _calls(setup, "aws_client.apigateway.put_method")]
    for path, method in zip(paths, methods, strict=False):
        resources.apigateway.route(method, f"/{path}", _identity)


def _identity(request: HttpRequest) -> Any:
    """The recorded ``id_function`` behind the API (an AWS integration): it returns the request body."""
    body = request.json() if request.body else None
    return {} if body is None else body


def add_activity(
    resources: Resources,
    clock: VirtualClock,
    resource: str,
    calls: list[tuple[Outcome, Mapping[str, Any]]],
    worker_name: str | None,
) -> None:
    """An activity whose worker answers as the recorded one did (``resource`` is the recorded Resource):
    with the recorded output or error, or not at all, letting the task time out."""
    name = placeholder_resource_name(resource) if not resource.startswith("arn:") else resource.rsplit(":", 1)[-1]
    remaining = list(calls)
    activity = resources.activity(name)
    if worker_name is not None:
        activity.worker_name = worker_name

    def worker() -> None:
        for task in activity.poll(timeout=5.0, worker_name=activity.worker_name):
            outcome, scheduled = remaining.pop(0) if remaining else ({}, {})
            if outcome.get("event") == "ActivitySucceeded":
                task.send_success(outcome.get("output"))
            elif outcome.get("event") == "ActivityTimedOut":
                let_time_out(resources, clock, task.token, scheduled)
            else:
                task.send_failure(outcome.get("error"), _text(outcome.get("cause")))
            if not remaining:
                return

    threading.Thread(target=worker, name=f"replay-worker-{name}", daemon=True).start()
