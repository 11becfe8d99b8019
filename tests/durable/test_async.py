"""The async API: executions driven by the caller's asyncio loop, ``async def`` handlers awaited on it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from asl_engine import RealClock, SafetyLimits, StateMachine, VirtualClock, open_store
from asl_engine.services import Resources, TaskRequest

SEND = "arn:aws:states:::sqs:sendMessage"


def calling(**task: Any) -> StateMachine:
    return StateMachine.from_json(
        {
            "StartAt": "Call",
            "States": {
                "Call": {"Type": "Task", "Resource": SEND, "Parameters": {"n.$": "$.n"}, **task, "Next": "Nap"},
                "Nap": {"Type": "Wait", "Seconds": 1, "End": True},
            },
        },
        name="calling",
    )


def test_a_thousand_executions_wait_on_their_handlers_at_the_same_time() -> None:
    active = 0
    most = 0

    async def handle(request: TaskRequest) -> Any:
        nonlocal active, most
        active += 1
        most = max(most, active)
        try:
            async with asyncio.timeout(30):  # asyncio features need a current task: the handler has one
                await asyncio.sleep(0.05)
        finally:
            active -= 1
        return {"n": request.parameters["n"] * 2}

    resources = Resources()
    resources.handler(SEND, handle)
    machine = calling()

    async def main() -> list[Any]:
        return await asyncio.gather(
            *(machine.execute_async({"n": n}, resources=resources, clock=RealClock()) for n in range(1000))
        )

    executions = asyncio.run(main())
    assert [execution.output for execution in executions] == [{"n": n * 2} for n in range(1000)]
    assert most > 1  # the handlers overlapped (the timing is measured in benchmarks/, not here)


def test_start_async_tokens_stop_and_virtual_time() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Ask",
            "States": {
                "Ask": {
                    "Type": "Task",
                    "Resource": SEND + ".waitForTaskToken",
                    "Parameters": {"t.$": "$$.Task.Token"},
                    "TimeoutSeconds": 3600,
                    "Next": "Nap",
                },
                "Nap": {"Type": "Wait", "Seconds": 86400, "Next": "When"},
                "When": {"Type": "Pass", "Parameters": {"at.$": "$$.State.EnteredTime"}, "End": True},
            },
        },
        name="asking",
    )
    resources = Resources()

    async def publish(request: TaskRequest) -> Any:
        await asyncio.sleep(0)
        return {"MessageId": "m"}

    resources.handler(SEND, publish)

    async def main() -> tuple[Any, Any]:
        handle = await machine.start_async({}, resources=resources, clock=VirtualClock(1_700_000_000))
        token = await handle.wait_for_task_token("Ask")
        assert handle.task_tokens() == {token: "Ask"}
        handle.send_task_success(token, {"ok": True})
        finished = await handle.result()
        stopped = await machine.start_async({}, resources=resources)
        await stopped.wait_for_task_token()
        stopped.stop("Halt", "enough")
        return finished, await stopped.result()

    finished, stopped = asyncio.run(main())
    assert finished.output == {"at": "2023-11-15T22:13:20Z"}  # a virtual day later, in no time
    assert (stopped.status, stopped.error) == ("ABORTED", "Halt")


def test_engine_style_handlers_and_timeouts_under_the_loop() -> None:
    async def engine_style(request: TaskRequest) -> Any:
        environment = request.environment
        assert environment is not None
        await environment.sleep(30)  # the execution's clock: virtual here
        return await environment.run_in_thread(lambda: {"from": "a thread"})

    resources = Resources()
    resources.handler(SEND, engine_style)
    execution = asyncio.run(calling().execute_async({"n": 1}, resources=resources))
    assert execution.output == {"from": "a thread"}

    async def slow(request: TaskRequest) -> Any:
        await asyncio.sleep(10)
        return {}

    slow_resources = Resources()
    slow_resources.handler(SEND, slow)
    timed_out = asyncio.run(
        calling(TimeoutSeconds=1).execute_async({"n": 1}, resources=slow_resources, clock=RealClock())
    )
    assert (timed_out.status, timed_out.error) == ("FAILED", "States.Timeout")


def test_async_lambda_handlers_are_awaited() -> None:
    resources = Resources()

    @resources.lambda_function("Double")
    async def double(event: Any, context: Any) -> Any:
        await asyncio.sleep(0)
        return event["n"] * 2

    machine = StateMachine.from_json(
        {
            "StartAt": "L",
            "States": {
                "L": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Double", "End": True}
            },
        }
    )
    assert machine.execute({"n": 21}, resources=resources).output == 42
    assert asyncio.run(machine.execute_async({"n": 4}, resources=resources)).output == 8
    assert asyncio.run(machine.execute_async({"n": 5}, resources=resources, clock=RealClock())).output == 10


def test_an_asyncio_handler_under_the_blocking_api_says_what_to_do() -> None:
    async def handle(request: TaskRequest) -> Any:
        await asyncio.sleep(0.01)
        return {}

    resources = Resources()
    resources.handler(SEND, handle)
    execution = calling().execute({"n": 1}, resources=resources)
    assert execution.status == "FAILED"
    assert "execute_async()" in (execution.cause or "")


def test_durable_executions_in_the_loop_resume_in_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    machine = StateMachine.from_json(
        {
            "StartAt": "Ask",
            "States": {
                "Ask": {
                    "Type": "Task",
                    "Resource": SEND + ".waitForTaskToken",
                    "Parameters": {"t.$": "$$.Task.Token"},
                    "Next": "Call",
                },
                "Call": {"Type": "Task", "Resource": SEND, "Parameters": {"n": 3}, "End": True},
            },
        },
        name="durably",
    )
    calls = 0

    async def handle(request: TaskRequest) -> Any:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return {"n": request.parameters.get("n", 0)}

    resources = Resources()
    resources.handler(SEND, handle)

    async def first() -> str:
        store = open_store(path, lease_seconds=0.1)
        handle_ = await machine.start_async({}, store=store, resources=resources, name="loop")
        token = await handle_.wait_for_task_token("Ask")
        store.close()  # the service stops while the task waits
        return token

    async def second(token: str) -> Any:
        await asyncio.sleep(0.2)
        with open_store(path) as store:
            [handle_] = await store.resume_async(resources=resources)
            store.send_task_success(token, {"approved": True})
            return await handle_.result()

    token = asyncio.run(first())
    execution = asyncio.run(second(token))
    assert execution.output == {"n": 3}
    assert calls == 2  # the callback's send, then Call: nothing twice
    with open_store(path) as store:
        assert store.describe("loop")["status"] == "SUCCEEDED"


def test_start_async_needs_a_running_loop() -> None:
    with pytest.raises(RuntimeError):
        calling().start_async({}).send(None)


def test_a_long_loop_of_states_lets_the_event_loop_run_at_its_checkpoints(tmp_path: Path) -> None:
    """Every 1,024 transitions the engine steps aside: under asyncio the loop then runs other work
    (and a limit ends a loop that never ends), with a store or without."""
    endless = StateMachine.from_json(
        {
            "StartAt": "Again",
            "States": {
                "Again": {"Type": "Pass", "Next": "Back"},
                "Back": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Out"}],
                    "Default": "Again",
                },
                "Out": {"Type": "Succeed"},
            },
        },
        name="endless",
    )

    async def main(store: Any) -> tuple[Any, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        beside = asyncio.create_task(ticker())
        try:
            execution = await endless.execute_async({}, limits=SafetyLimits(max_transitions=5000), store=store)
        finally:
            beside.cancel()
        return execution, ticks

    execution, ticks = asyncio.run(main(None))
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert ticks >= 4  # at each of the checkpoints (1,024, 2,048, 3,072, 4,096 transitions)
    with open_store(tmp_path / "runs.db") as store:
        execution, ticks = asyncio.run(main(store))
        assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
        assert ticks >= 4
        assert store.describe(execution.arn)["status"] == "FAILED"
