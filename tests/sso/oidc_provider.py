"""A small OpenID Connect provider for the tests, on 127.0.0.1 (stdlib HTTP server + PyJWT/cryptography):
discovery, authorize (the user is whoever the test says), token with an RS256-signed id_token, userinfo, JWKS.
No network outside the machine."""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class LocalOidcProvider:
    def __init__(self, client_id: str = "resilis") -> None:
        self.client_id, self.client_secret = client_id, secrets.token_urlsafe(16)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.email = "someone@example.org"
        self.amr: list[str] = ["pwd"]
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, str] = {}
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalOidcProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": f"sub-{self.email}", "aud": self.client_id, "iat": now, "exp": now + 300,
                  "email": self.email, "email_verified": True, "amr": self.amr}
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, data: dict[str, Any], status: int = 200) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                url = urlparse(self.path)
                provider.requests.append(url.path)
                if url.path == "/.well-known/openid-configuration":
                    base = provider.issuer
                    return self._json({"issuer": base, "authorization_endpoint": f"{base}/authorize",
                                       "token_endpoint": f"{base}/token", "userinfo_endpoint": f"{base}/userinfo",
                                       "jwks_uri": f"{base}/jwks", "response_types_supported": ["code"],
                                       "id_token_signing_alg_values_supported": ["RS256"],
                                       "subject_types_supported": ["public"]})
                if url.path == "/jwks":
                    jwk = json.loads(RSAAlgorithm.to_jwk(provider.key.public_key()))
                    return self._json({"keys": [{**jwk, "kid": provider.kid, "use": "sig", "alg": "RS256"}]})
                if url.path == "/authorize":
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    if query.get("client_id") != provider.client_id:
                        return self._json({"error": "unauthorized_client"}, 400)
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {"nonce": query.get("nonce"), "redirect_uri": query["redirect_uri"]}
                    self.send_response(302)
                    self.send_header("Location", query["redirect_uri"] + "?" + urlencode(
                        {"code": code, "state": query.get("state", "")}))
                    self.end_headers()
                    return None
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self._json({"error": "invalid_token"}, 401)
                    email = provider.tokens[token]
                    return self._json({"sub": f"sub-{email}", "email": email, "email_verified": True})
                return self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:  # noqa: N802
                provider.requests.append(urlparse(self.path).path)
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path != "/token":
                    return self._json({"error": "not_found"}, 404)
                client_id, secret = form.get("client_id"), form.get("client_secret")
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    import base64

                    client_id, _sep, secret = base64.b64decode(auth[6:]).decode().partition(":")
                if (client_id, secret) != (provider.client_id, provider.client_secret):
                    return self._json({"error": "invalid_client"}, 401)
                grant = provider.codes.pop(form.get("code", ""), None)
                if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                    return self._json({"error": "invalid_grant"}, 400)
                access = secrets.token_urlsafe(16)
                provider.tokens[access] = provider.email
                return self._json({"access_token": access, "token_type": "Bearer", "expires_in": 300,
                                   "id_token": provider.id_token(grant["nonce"])})

        return Handler
