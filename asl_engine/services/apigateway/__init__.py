"""Amazon API Gateway, as local routes behind ``arn:aws:states:::apigateway:invoke``."""

from asl_engine.services.apigateway.apis import ApiGatewayService, ApiRoute

__all__ = ["ApiGatewayService", "ApiRoute"]
