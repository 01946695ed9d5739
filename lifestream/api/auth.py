"""Who is calling: the owner id every route passes to the service layer.

- `none`: the single local user (the server binds to loopback only; `lifestream serve` enforces it).
- `jwt`: a bearer token verified the way API Gateway's HTTP API JWT authorizer verifies it
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html): an RSA
  signature by a key of the JWKS named by the token's `kid`; `iss` equal to the configured issuer; `aud`
  — or, only when there is no `aud`, `client_id` (Cognito access tokens) — one of the configured
  audiences; `exp` after now, `nbf` and `iat` before now. No leeway, as the authorizer allows none.
- `gateway`: on AWS behind that authorizer, which has already verified the token: the claims are in the
  Lambda event (Mangum's `scope["aws.event"]`); a request without them is refused.
In both signed-in modes the token must be an access token (`token_use` "access": Cognito's ID tokens name
this app in `aud` too, and would otherwise pass) carrying the API's scope (`LIFESTREAM_AUTH_SCOPE`, the
resource server's `lifestream/api`, which the gateway's authorizer also requires per route). The owner is
the token's `sub`, unless it is a reserved id (the local user's, or a word of the storage layout): such a
user would own the library from before sign-in, vectors without an owner and the default namespace.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from lifestream.core.constants import API_SCOPE, LOCAL_USER
from lifestream.core.errors import ConfigError, LifeStreamError, TransientError
from lifestream.core.ownership import is_reserved_owner, is_valid_owner
from lifestream.core.loopback import is_loopback_url
from lifestream.core.settings import Settings

RSA_ALGORITHMS = ["RS256", "RS384", "RS512"]


class Unauthorized(LifeStreamError):
    """No valid identity: the API answers 401 (the message says why, never which key or user)."""


class TokenVerifier:
    def __init__(self, *, issuer: str, audiences: list[str], jwks: str) -> None:
        self.issuer = issuer
        self.audiences = [a for a in audiences if a]
        self.jwks = jwks
        self._lock = threading.Lock()
        self._keys: dict[str, Any] | None = None
        self._client = None
        if jwks.lower().startswith("http://"):
            if not is_loopback_url(jwks):
                raise ConfigError("LIFESTREAM_AUTH_JWKS: use an https:// URL (http:// only on loopback)")
        if jwks.lower().startswith(("https://", "http://")):
            import jwt

            # Keys cached like the authorizer caches them (it keeps them up to two hours).
            self._client = jwt.PyJWKClient(jwks, cache_keys=True, lifespan=7200)

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenVerifier:
        if not (settings.auth_issuer and settings.auth_audience and settings.auth_jwks):
            raise ConfigError(
                "LIFESTREAM_AUTH=jwt needs LIFESTREAM_AUTH_ISSUER, LIFESTREAM_AUTH_AUDIENCE and LIFESTREAM_AUTH_JWKS"
            )
        try:
            import cryptography  # noqa: F401 - RS256 needs it
            import jwt  # noqa: F401
        except ImportError:
            raise ConfigError(
                "LIFESTREAM_AUTH=jwt needs PyJWT[crypto] (in requirements.txt); the API's Lambda asset leaves "
                "it out, since on AWS it runs LIFESTREAM_AUTH=gateway behind API Gateway's JWT authorizer"
            ) from None
        return cls(
            issuer=settings.auth_issuer,
            audiences=[a.strip() for a in settings.auth_audience.split(",")],
            jwks=settings.auth_jwks,
        )

    def _file_keys(self) -> dict[str, Any]:
        import jwt

        with self._lock:
            if self._keys is None:
                try:
                    data = json.loads(Path(self.jwks).read_text())
                    keyset = jwt.PyJWKSet.from_dict(data)
                except (OSError, ValueError, jwt.PyJWTError) as exc:
                    raise ConfigError(
                        f"LIFESTREAM_AUTH_JWKS: cannot read a JWKS from {self.jwks}: {exc}"
                    ) from None
                self._keys = {k.key_id: k for k in keyset.keys if k.key_id}
            return self._keys

    def _key(self, kid: str):
        import jwt

        if self._client is not None:
            try:
                return self._client.get_signing_key(kid)
            except jwt.PyJWKClientConnectionError as exc:
                # The issuer's fault, not the caller's: 503, and the URL stays in the log.
                raise TransientError(f"LIFESTREAM_AUTH_JWKS: cannot fetch {self.jwks}: {exc}") from exc
            except jwt.PyJWKClientError:
                raise Unauthorized("the token's kid matches no key of the issuer") from None
        key = self._file_keys().get(kid)
        if key is None:
            raise Unauthorized("the token's kid matches no key of the issuer")
        return key

    def verify(self, token: str) -> dict[str, Any]:
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("the bearer token is not a JWT") from None
        if header.get("alg") not in RSA_ALGORITHMS:
            raise Unauthorized("the token is not signed with an RSA algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("the token has no kid")
        key = self._key(kid)
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[header["alg"]],
                issuer=self.issuer,
                leeway=0,
                options={"require": ["exp", "iss", "sub"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired") from None
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"the token is not valid: {exc}") from None
        audience = claims.get("aud")
        if audience is not None:
            values = [audience] if isinstance(audience, str) else list(audience or [])
        else:
            values = [claims.get("client_id")]
        if not any(v in self.audiences for v in values if isinstance(v, str)):
            raise Unauthorized("the token is not meant for this API (aud / client_id)")
        return claims


def _scopes(claims: dict[str, Any]) -> list[str]:
    # OAuth's `scope` is one space-separated string (Cognito, and the gateway passes it on as one);
    # some issuers send a list in `scp`.
    value = claims.get("scope", claims.get("scp"))
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def owner_from_claims(claims: dict[str, Any] | None, *, scope: str = API_SCOPE) -> str:
    """The owner named by verified `claims`, once they are shown to be an access token for this API."""
    claims = claims or {}
    if claims.get("token_use") != "access":
        raise Unauthorized("send the access token (token_use must be access; an ID token is not accepted)")
    if scope not in _scopes(claims):
        raise Unauthorized(f"the token does not carry the scope {scope}: sign in again")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not is_valid_owner(sub):
        raise Unauthorized("the token names no usable subject (sub)")
    if is_reserved_owner(sub):
        raise Unauthorized("the token's subject (sub) is a reserved id")
    return sub


class Authenticator:
    """The configured way of telling who calls; `owner(headers, scope)` returns the owner id."""

    def __init__(self, settings: Settings) -> None:
        self.mode = settings.auth
        self.scope = settings.auth_scope
        self.verifier = TokenVerifier.from_settings(settings) if self.mode == "jwt" else None

    def owner(self, authorization: str | None, scope: dict[str, Any]) -> str:
        if self.mode == "none":
            return LOCAL_USER
        if self.mode == "gateway":
            event = scope.get("aws.event") or {}
            claims = (((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt") or {}).get(
                "claims"
            )
            return owner_from_claims(claims, scope=self.scope)
        assert self.verifier is not None
        if not authorization:
            raise Unauthorized("sign in: send Authorization: Bearer <token>")
        scheme, _, token = authorization.strip().partition(" ")
        # The authorizer accepts the token alone or prefixed with Bearer.
        token = token.strip() if scheme.lower() == "bearer" else authorization.strip()
        return owner_from_claims(self.verifier.verify(token), scope=self.scope)
