"""AWS Secrets Manager, embedded: secrets behind ``arn:aws:states:::aws-sdk:secretsmanager:<action>``."""

from asl_engine.services.secretsmanager.secrets import Secret, SecretsManagerService

__all__ = ["Secret", "SecretsManagerService"]
