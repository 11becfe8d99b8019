"""The ``[lambda]`` section of ``asl.toml``: functions by name, as ``module:function`` or a table of settings.

::

    [lambda]
    ProcessOrder = "handlers:process_order"
    [lambda.BillCustomer]
    handler = "handlers:bill_customer"
    timeout = 10                                   # seconds (default 3, as Lambda)
    memory_size = 256                              # MB (default 128)
"""

from __future__ import annotations

from asl_engine.errors import ConfigurationError
from asl_engine.services.lambda_.invoke import LambdaService
from asl_engine.services.sections import ConfigSection, handler_settings


def configure(section: ConfigSection, service: LambdaService) -> None:
    for name, spec in section.values.items():
        where = section.where / name
        options = handler_settings(spec, where, ("handler", "timeout", "memory_size"))
        handler = section.callable(options.pop("handler"), where / "handler" if isinstance(spec, dict) else where)
        try:
            service.functions.add(name, handler, **options)
        except ConfigurationError as error:
            raise where.error(str(error)) from None
