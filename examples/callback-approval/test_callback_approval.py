"""The approval waits for a task token: answered by the local reviewer, or by the test itself."""

from pathlib import Path

from asl_engine.services import Resources, load_resources

HERE = Path(__file__).parent


def test_small_orders_are_approved_by_the_reviewer(asl_machine, asl_env):
    execution = asl_env.execute(
        asl_machine("machine.json"), {"orderId": "o-1", "amount": 10}, resources=[load_resources(HERE / "asl.toml")]
    )
    assert execution.output == {"orderId": "o-1", "status": "APPROVED", "approvedBy": "auto-approver"}


def test_the_test_answers_the_token_itself(asl_machine, asl_env):
    queue = Resources()
    queue.handler("arn:aws:states:::sqs:sendMessage.waitForTaskToken", lambda request: {"MessageId": "m-1"})
    running = asl_env.start(asl_machine("machine.json"), {"orderId": "o-2", "amount": 99}, resources=[queue])
    running.complete_task("RequestApproval", {"reviewer": "alice"})
    assert running.result().output == {"orderId": "o-2", "status": "APPROVED", "approvedBy": "alice"}


def test_an_unanswered_request_times_out_after_a_day(asl_machine, asl_env, asl_clock):
    queue = Resources()
    queue.handler("arn:aws:states:::sqs:sendMessage.waitForTaskToken", lambda request: {"MessageId": "m-1"})
    running = asl_env.start(asl_machine("machine.json"), {"orderId": "o-3", "amount": 99}, resources=[queue])
    asl_clock.advance(86_400)
    assert running.result().output["status"] == "REJECTED"
