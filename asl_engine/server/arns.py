"""Checking the ARNs requests carry, with AWS's ``InvalidArn`` answers."""

from __future__ import annotations

from asl_engine.server.errors import invalid_arn


def resource_type(arn: str) -> str:
    """``stateMachine``, ``execution``, ``activity``... (``InvalidArn`` when it is not a Step Functions ARN)."""
    parts = arn.split(":")
    if not arn.startswith("arn:") or len(parts) < 7 or parts[2] != "states":
        raise invalid_arn(arn)
    return parts[5]


def check_kind(arn: str, *kinds: str) -> None:
    kind = resource_type(arn)
    if kind not in kinds:
        raise invalid_arn(arn, f"Resource type not valid in this context: {kind}")


def split_test_case(arn: str) -> tuple[str, str | None]:
    """Step Functions Local: ``<stateMachineArn>#<TestCaseName>`` runs that test case's mocks."""
    base, hash_sign, case = arn.partition("#")
    return (base, case) if hash_sign and case else (arn, None)
