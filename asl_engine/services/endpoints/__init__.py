"""Sending an account's AWS calls to real endpoints (``[endpoints]``): LocalStack, moto, DynamoDB Local,
MinIO, or AWS itself, through boto3 (the ``[aws]`` extra)."""

from asl_engine.services.endpoints.routing import Endpoints

__all__ = ["Endpoints"]
