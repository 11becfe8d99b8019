"""Step Functions Local's MockConfigFile (the parser lives in ``asl_engine.services.mock_config``,
where the API server reads it too)."""

from asl_engine.services.mock_config import MockConfig

__all__ = ["MockConfig"]
