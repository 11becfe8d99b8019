"""The ``[http]`` section of ``asl.toml``: local handlers for HTTPS endpoints, which real endpoints an
HTTP task may call, and the credentials of EventBridge connections.

::

    [http]
    allow = ["https://api.example.com/*"]           # real calls to these URLs (httpx: asl-engine[http])
    real = false                                    # true: any URL no local handler answers

    [http.endpoints]
    "https://payments.example.com/charges" = "payments:charge"       # handler(request) -> response or body

    [http.connections."arn:aws:events:us-east-1:123456789012:connection/Stripe/abc"]
    api_key = { name = "x-api-key", value = "test-key" }             # or basic = { username, password }
                                                                     # or oauth = { token = "..." }

Nothing is sent anywhere unless ``allow`` or ``real`` says so.
"""

from __future__ import annotations

from typing import Any

from asl_engine.errors import ConfigurationError
from asl_engine.services.http.endpoints import Connection, HttpService
from asl_engine.services.sections import ConfigSection, Location, only_keys, table_at


def configure(section: ConfigSection, service: HttpService) -> None:
    only_keys(section.values, ("allow", "real", "endpoints", "connections"), section.where)
    allow = section.values.get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(pattern, str) for pattern in allow):
        raise (section.where / "allow").error("expected a list of URL patterns such as 'https://api.example.com/*'")
    for pattern in allow:
        service.allow(pattern)
    real = section.values.get("real", False)
    if not isinstance(real, bool):
        raise (section.where / "real").error("expected true or false")
    service.real = real
    for pattern, spec in table_at(section.values.get("endpoints", {}), section.where / "endpoints").items():
        where = section.where / "endpoints" / pattern
        method = None
        if isinstance(spec, dict):
            only_keys(spec, ("handler", "method"), where)
            method, spec = spec.get("method"), spec.get("handler")
        try:
            service.endpoint(pattern, section.callable(spec, where), method=method)
        except ConfigurationError as error:
            raise where.error(str(error)) from None
    connections = table_at(section.values.get("connections", {}), section.where / "connections")
    for arn, spec in connections.items():
        where = section.where / "connections" / arn
        service.connections[arn] = _connection(table_at(spec, where), where)


def _connection(spec: dict[str, Any], where: Location) -> Connection:
    only_keys(spec, ("api_key", "basic", "oauth", "headers", "query"), where)
    kinds = [kind for kind in ("api_key", "basic", "oauth") if kind in spec]
    if len(kinds) > 1:
        raise where.error("a connection has one of api_key, basic or oauth")
    headers: dict[str, str] = {}
    if kinds:
        kind = kinds[0]
        options = table_at(spec[kind], where / kind)
        fields = {"api_key": ("name", "value"), "basic": ("username", "password"), "oauth": ("token",)}[kind]
        only_keys(options, fields, where / kind)
        if not all(isinstance(options.get(name), str) for name in fields):
            raise (where / kind).error(f"expected {', '.join(fields)} (text)")
        made = getattr(Connection, kind)(*(options[name] for name in fields))
        headers.update(made.headers)
    extra: dict[str, dict[str, str]] = {}
    for key in ("headers", "query"):
        values = table_at(spec.get(key, {}), where / key)
        if not all(isinstance(value, str) for value in values.values()):
            raise (where / key).error("expected text values")
        extra[key] = values
    headers.update(extra["headers"])
    return Connection(headers, extra["query"])
