"""OpenAPI: the bearer token scheme, and the error answers every operation may give (documented, so that a
client — and schemathesis — knows a 400/401/403/404/429 is part of the contract)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

ERROR_CODES = ("400", "401", "403", "404", "429")


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "apps.api.authentication.TokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "rsl_<prefix>_<secret>",
                "description": "A token created by an administrator on the organization's « API tokens » page."}


class ApiSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> Any:
        from apps.api.base import ErrorSerializer

        responses = super()._get_response_bodies(direction)
        for code in ERROR_CODES:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        return responses
