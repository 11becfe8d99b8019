"""The real HTTP call, made with httpx (the optional extra ``asl-engine[http]``, imported only here, and
only when ``asl.toml`` or the caller allowed a real call)."""

from __future__ import annotations

from dataclasses import dataclass

from asl_engine.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class RawResponse:
    status: int
    headers: dict[str, list[str]]
    body: bytes
    content_type: str | None


class SocketFailure(Exception):
    """The endpoint could not be reached or did not answer in time (``States.Http.Socket``)."""


def send(method: str, url: str, headers: dict[str, str], body: bytes | None, timeout: float) -> RawResponse:
    """Make the request; ``SocketFailure`` when it does not get an answer."""
    try:
        import httpx
    except ImportError:
        raise ConfigurationError("calling a real HTTP endpoint needs httpx: pip install 'asl-engine[http]'") from None
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.request(method, url, headers=headers, content=body)
    except httpx.TimeoutException:
        raise SocketFailure(f"The request to {url} timed out after {timeout:g} seconds.") from None
    except httpx.HTTPError as error:
        raise SocketFailure(f"Unable to connect to {url}: {error}") from None
    grouped: dict[str, list[str]] = {}
    for raw_name, raw_value in response.headers.raw:  # the names as the server wrote them
        grouped.setdefault(raw_name.decode("latin-1"), []).append(raw_value.decode("latin-1"))
    return RawResponse(response.status_code, grouped, response.content, response.headers.get("content-type"))
