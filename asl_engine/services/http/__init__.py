"""The HTTP task (``arn:aws:states:::http:invoke``): local handlers for HTTPS endpoints, real calls when
allowed, and the request and response shapes API Gateway shares."""

from asl_engine.services.http.endpoints import Connection, HttpService
from asl_engine.services.http.messages import HttpRequest, HttpResponse

__all__ = ["Connection", "HttpRequest", "HttpResponse", "HttpService"]
