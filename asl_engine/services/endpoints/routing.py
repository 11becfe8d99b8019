"""Where an account's AWS calls go when they are not answered locally: ``[endpoints]`` in ``asl.toml``.

::

    [endpoints]
    dynamodb = "http://localhost:8000"              # DynamoDB Local, a moto or LocalStack server...
    secretsmanager = "http://localhost:4566"
    default = "aws"                                 # every other service: real AWS, your credentials

A service named here is sent there, for its AWS SDK integrations (``aws-sdk:dynamodb:*``) and its
optimized ones alike (``dynamodb:putItem``): nothing of it is answered locally any more. ``aws`` is
the service's public endpoint in the execution's region. Nothing is sent anywhere unless listed.
Calls go through boto3 (``pip install 'asl-engine[aws]'``), imported only when a call is made; with
no credentials configured, calls to a local endpoint use placeholder ones (local emulators accept
any).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from asl_engine.errors import ConfigurationError
from asl_engine.services.endpoints.naming import botocore_name

AWS = "aws"
DEFAULT = "default"


def check_target(target: Any, service: str) -> str:
    if target == AWS:
        return AWS
    if isinstance(target, str) and urlsplit(target).scheme in ("http", "https") and urlsplit(target).netloc:
        return target.rstrip("/")
    raise ConfigurationError(
        f"endpoint for {service!r}: expected 'aws' or a URL such as 'http://localhost:8000', got {target!r}"
    )


class Endpoints:
    """The services routed to an endpoint, and the boto3 clients that call them."""

    def __init__(self, targets: Mapping[str, str] | None = None) -> None:
        self._targets: dict[str, str] = {}
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()
        for service, target in (targets or {}).items():
            self.route(service, target)

    def route(self, service: str, target: str) -> None:
        """Send ``service``'s calls (``dynamodb``, ``sfn``, ``default`` for all others) to ``target``."""
        if not isinstance(service, str) or not service:
            raise ConfigurationError(f"expected a service name, got {service!r}")
        checked = check_target(target, service)
        key = DEFAULT if service == DEFAULT else _key(service)
        with self._lock:
            self._targets[key] = checked
            self._clients.clear()

    def targets(self) -> dict[str, str]:
        with self._lock:
            return dict(self._targets)

    def target(self, service: str) -> str | None:
        """Where ``service``'s calls go (None: answered locally)."""
        with self._lock:
            if not self._targets:
                return None
            return self._targets.get(_key(service), self._targets.get(DEFAULT))

    def client(self, service: str, region: str) -> Any:
        """A boto3 client for ``service`` at its target, in ``region`` (one per target and region)."""
        target = self.target(service)
        if target is None:
            raise ConfigurationError(f"no endpoint is configured for {service}")
        name = _key(service)
        key = (name, region, target)
        with self._lock:
            client = self._clients.get(key)
        if client is None:
            client = _new_client(name, region, target)
            with self._lock:
                self._clients.setdefault(key, client)
        return client


def _key(service: str) -> str:
    try:
        return botocore_name(service)
    except ImportError:
        return service.lower()


def _new_client(service: str, region: str, target: str) -> Any:
    try:
        import boto3
        import botocore.config
    except ImportError:
        raise ConfigurationError(
            "calling AWS services through [endpoints] needs boto3: pip install 'asl-engine[aws]'"
        ) from None
    session = boto3.session.Session(region_name=region)
    options: dict[str, Any] = {"config": botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})}
    if target != AWS:
        options["endpoint_url"] = target
        if session.get_credentials() is None:
            options["aws_access_key_id"] = "asl-engine"
            options["aws_secret_access_key"] = "asl-engine"
    return session.client(service, **options)
