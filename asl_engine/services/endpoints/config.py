"""The ``[endpoints]`` section of ``asl.toml``: services whose calls go to an endpoint (see ``routing``).

::

    [endpoints]
    dynamodb = "http://localhost:8000"
    default = "aws"
"""

from __future__ import annotations

from asl_engine.errors import ConfigurationError
from asl_engine.services.endpoints.routing import Endpoints
from asl_engine.services.sections import ConfigSection


def configure(section: ConfigSection, endpoints: Endpoints) -> None:
    for service, target in section.values.items():
        try:
            endpoints.route(service, target)
        except ConfigurationError as error:
            raise (section.where / service).error(str(error)) from None
