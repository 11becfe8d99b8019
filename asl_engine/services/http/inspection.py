"""An HTTP task's request and response as TestState shows them at the TRACE inspection level.

Step Functions answers both as objects of strings (botocore's ``InspectionDataRequest`` and
``InspectionDataResponse``): ``protocol`` (the URL's scheme), ``method``, ``url``, ``headers`` and
``body`` for the request; ``protocol``, ``statusCode``, ``statusMessage``, ``headers`` and ``body``
for the response. Headers are one string, ``[Name: value, Name: value]``, as in the examples of AWS's
TestState guide. What an EventBridge connection added to the request (its headers and query
parameters) is left out unless ``revealSecrets`` is set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from asl_engine.services.http.messages import HttpExchange, status_text


def trace_inspection(exchange: HttpExchange, *, reveal_secrets: bool) -> dict[str, Any]:
    """``{"request": {...}, "response": {...}}`` for TestState's ``inspectionData``."""
    request = exchange.request
    hidden = frozenset() if reveal_secrets else exchange.secret_headers
    url = request.url if reveal_secrets or not exchange.public_url else exchange.public_url
    protocol = urlsplit(request.url).scheme
    return {
        "request": {
            "protocol": protocol,
            "method": request.method,
            "url": url,
            "headers": _headers(request.headers, hidden),
            "body": request.body or "",
        },
        "response": {
            "protocol": protocol,
            "statusCode": str(exchange.status),
            "statusMessage": status_text(exchange.status),
            "headers": _headers(exchange.headers, frozenset()),
            "body": exchange.body.decode("utf-8", "replace"),
        },
    }


def _headers(headers: Mapping[str, Iterable[str]], hidden: frozenset[str]) -> str:
    pairs = [f"{name}: {value}" for name, values in headers.items() if name not in hidden for value in values]
    return "[" + ", ".join(pairs) + "]"
