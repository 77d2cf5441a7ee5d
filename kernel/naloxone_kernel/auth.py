"""Bearer-token verification against a JWKS, the caller's identity, and a dev issuer.

Tokens are asymmetric (ES256 or RS256): services hold only public keys. `alg: none`,
HMAC algorithms, unknown key ids, the wrong audience or issuer and expired tokens are
all refused. The development issuer (used by `naloxctl token`) writes its JWKS to a
file that local services read; production points services at the real issuer's JWKS.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ALLOWED_ALGORITHMS = ("ES256", "RS256")
ROLES = frozenset({"officer", "custody", "trainer", "partner", "force_admin", "national_lead", "auditor"})


class AuthError(Exception):
    """401: no usable credentials. The message says which rule failed."""


class Forbidden(Exception):
    """403: authenticated, but not allowed this resource."""


@dataclass(frozen=True)
class Identity:
    subject: str
    roles: frozenset[str]
    force_id: str | None = None
    org: str | None = None
    forces: frozenset[str] = field(default_factory=frozenset)

    def may_access_force(self, force_id: str) -> bool:
        return force_id == self.force_id or force_id in self.forces

    def has_any_role(self, roles: frozenset[str] | set[str]) -> bool:
        return bool(self.roles & roles)

    def as_actor(self) -> str:
        return self.subject


class UnknownForce(ValueError):
    """The path names no UK police force (HTTP 422 on `path.force_id`)."""


def authorize_force(identity: Identity, force_id: str, roles: frozenset[str] | None = None) -> None:
    """The one rule every force-scoped route applies, in the gateway and in each service:
    a real force, your own, with a fitting role."""
    from .reference.forces import get_force

    if get_force(force_id) is None:
        raise UnknownForce(f"'{force_id}' is not a UK police force id (see GET /v1/reference/forces)")
    if not identity.may_access_force(force_id):
        raise Forbidden(f"token for force '{identity.force_id}' may not access force '{force_id}'")
    if roles is not None and not identity.has_any_role(roles):
        raise Forbidden(f"this action needs one of the roles {sorted(roles)}")


class _JwksFile:
    """A JWKS file, re-read when it changes (key rotation needs no restart)."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self._mtime = -1.0
        self._keys: dict[str, jwt.PyJWK] = {}

    def key(self, kid: str) -> jwt.PyJWK:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError as exc:
            raise AuthError("no signing keys are configured") from exc
        if mtime != self._mtime:
            data = json.loads(self.path.read_text())
            self._keys = {k.key_id: k for k in jwt.PyJWKSet.from_dict(data).keys}
            self._mtime = mtime
        try:
            return self._keys[kid]
        except KeyError as exc:
            raise AuthError("token signed with an unknown key") from exc


class _JwksUrl:
    def __init__(self, url: str) -> None:
        self.client = jwt.PyJWKClient(url, cache_keys=True, lifespan=300)

    def key(self, kid: str) -> jwt.PyJWK:
        try:
            return self.client.get_signing_key(kid)
        except jwt.PyJWKClientError as exc:
            raise AuthError("token signed with an unknown key") from exc


class TokenVerifier:
    def __init__(self, *, issuer: str, audience: str, jwks_path: str = "", jwks_url: str = "") -> None:
        self.issuer = issuer
        self.audience = audience
        self.keys = _JwksUrl(jwks_url) if jwks_url else _JwksFile(jwks_path)

    @classmethod
    def from_settings(cls, settings) -> "TokenVerifier":
        """The verifier a service's settings describe (issuer, audience, JWKS file or URL)."""
        return cls(issuer=settings.token_issuer, audience=settings.token_audience,
                   jwks_path=settings.jwks_path, jwks_url=settings.jwks_url)

    def verify(self, token: str) -> Identity:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise AuthError("malformed bearer token") from exc
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise AuthError(f"token algorithm '{alg}' is not accepted (use ES256 or RS256)")
        kid = header.get("kid")
        if not kid:
            raise AuthError("token has no key id (kid)")
        key = self.keys.key(kid)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
                leeway=30,
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthError("token audience is not this platform") from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthError("token issuer is not trusted") from exc
        except jwt.InvalidSignatureError as exc:
            raise AuthError("token signature is invalid") from exc
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"token rejected: {exc}") from exc
        roles = frozenset(r for r in claims.get("roles", []) if r in ROLES)
        if not roles:
            raise AuthError("token carries no known role")
        return Identity(
            subject=str(claims["sub"]),
            roles=roles,
            force_id=claims.get("force_id"),
            org=claims.get("org"),
            forces=frozenset(claims.get("forces", [])),
        )


class DevIssuer:
    """A local ES256 issuer for development and tests; its JWKS is a file beside the key."""

    def __init__(self, directory: str | Path, issuer: str = "naloxone-dev-issuer", audience: str = "naloxone-platform") -> None:
        self.directory = Path(directory)
        self.issuer = issuer
        self.audience = audience

    @property
    def jwks_path(self) -> Path:
        return self.directory / "jwks.json"

    @property
    def key_path(self) -> Path:
        return self.directory / "signing-key.pem"

    def ensure_keys(self) -> None:
        if self.key_path.exists() and self.jwks_path.exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        private = ec.generate_private_key(ec.SECP256R1())
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        kid = uuid.uuid4().hex[:16]
        tmp = self.key_path.with_suffix(".tmp")
        tmp.write_bytes(pem)
        os.chmod(tmp, 0o600)
        tmp.rename(self.key_path)
        (self.directory / "kid").write_text(kid)
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
        jwk.update({"kid": kid, "use": "sig", "alg": "ES256"})
        self.jwks_path.write_text(json.dumps({"keys": [jwk]}, indent=2))

    def mint(
        self,
        *,
        subject: str,
        roles: list[str],
        force_id: str | None = None,
        org: str | None = None,
        forces: list[str] | None = None,
        ttl_seconds: int = 3600,
        audience: str | None = None,
        issuer: str | None = None,
        now: float | None = None,
    ) -> str:
        self.ensure_keys()
        issued = int(now if now is not None else time.time())
        claims = {
            "iss": issuer or self.issuer,
            "aud": audience or self.audience,
            "sub": subject,
            "iat": issued,
            "exp": issued + ttl_seconds,
            "roles": roles,
            "jti": uuid.uuid4().hex,
        }
        if force_id:
            claims["force_id"] = force_id
        if org:
            claims["org"] = org
        if forces:
            claims["forces"] = forces
        kid = (self.directory / "kid").read_text().strip()
        return jwt.encode(claims, self.key_path.read_bytes(), algorithm="ES256", headers={"kid": kid})
