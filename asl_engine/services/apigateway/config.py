"""The ``[apigateway]`` section of ``asl.toml``: local routes of API Gateway APIs.

::

    [apigateway.routes]
    "POST /orders" = "api:create_order"             # handler(request) -> HttpResponse or a JSON body
    [apigateway.routes."GET /orders/{id}"]           # a route of one API and stage only
    handler = "api:get_order"
    endpoint = "abc123.execute-api.us-east-1.amazonaws.com"
    stage = "prod"
"""

from __future__ import annotations

from asl_engine.errors import ConfigurationError
from asl_engine.services.apigateway.apis import ApiGatewayService
from asl_engine.services.sections import ConfigSection, only_keys, table_at


def configure(section: ConfigSection, service: ApiGatewayService) -> None:
    only_keys(section.values, ("routes",), section.where)
    for key, spec in table_at(section.values.get("routes", {}), section.where / "routes").items():
        where = section.where / "routes" / key
        method, _, path = key.partition(" ")
        if not path:
            raise where.error("a route is named 'METHOD /path' (e.g. \"POST /orders\")")
        endpoint = stage = None
        if isinstance(spec, dict):
            only_keys(spec, ("handler", "endpoint", "stage"), where)
            endpoint, stage, spec = spec.get("endpoint"), spec.get("stage"), spec.get("handler")
            for name, value in (("endpoint", endpoint), ("stage", stage)):
                if value is not None and not isinstance(value, str):
                    raise (where / name).error("expected text")
        try:
            service.route(method, path.strip(), section.callable(spec, where), endpoint=endpoint, stage=stage)
        except ConfigurationError as error:
            raise where.error(str(error)) from None
