"""Bearer-token verification against a JWKS, the caller's identity, and a dev issuer.

Tokens are asymmetric (ES256 or RS256): services hold only public keys. `alg: none`,
HMAC algorithms, unknown key ids, the wrong audience or issuer and expired tokens are
all refused. The development issuer (used by `naloxctl token`) writes its JWKS to a
file that local services read; production points services at the real issuer's JWKS.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ALLOWED_ALGORITHMS = ("ES256", "RS256")
ROLES = frozenset({"officer", "custody", "trainer", "partner", "force_admin", "national_lead", "auditor"})
#: Roles that submit records but may not read analytics (ODMAP's Level I).
SUBMIT_ONLY_ROLES = frozenset({"officer", "custody", "partner"})
#: A bearer token longer than this is refused before it is parsed.
MAX_TOKEN_CHARS = 8192
#: Subjects and organisations: bounded, printable, no separators that could forge a log line.
SUBJECT_PATTERN = re.compile(r"^[A-Za-z0-9@._+:|/-]{1,128}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


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
    #: Forces reached through data-sharing agreements the platform holds (never a token claim).
    forces: frozenset[str] = field(default_factory=frozenset)
    #: Grants beyond roles, e.g. "dpo": a data-protection officer (with role auditor) may
    #: erase a subject's personal data and export what is held about them.
    grants: frozenset[str] = field(default_factory=frozenset)
    #: The token's expiry (seconds since the epoch); a cached identity never outlives it.
    expires_at: float = 0.0

    @property
    def kind(self) -> str:
        """force (a force's user), partner (an organisation's worker), national or auditor."""
        if self.force_id:
            return "force"
        if "partner" in self.roles and self.org:
            return "partner"
        if "national_lead" in self.roles:
            return "national"
        if "auditor" in self.roles:
            return "auditor"
        return "unscoped"

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
        if identity.force_id:
            raise Forbidden(f"token for force '{identity.force_id}' may not access force '{force_id}'")
        raise Forbidden(f"this {identity.kind} identity has no access to force '{force_id}'")
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
    """A JWKS fetched by URL and cached; an unknown `kid` refetches it, at most once per
    `min_refresh_seconds` (so a flood of made-up key ids cannot hammer the issuer), and the
    whole set is refreshed every `lifespan_seconds` so rotated keys appear without a restart."""

    def __init__(self, url: str, lifespan_seconds: float = 300.0, min_refresh_seconds: float = 30.0) -> None:
        self.url = url
        self.lifespan = lifespan_seconds
        self.min_refresh = min_refresh_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched = float("-inf")
        self._lock = threading.Lock()

    def _fetch(self) -> None:
        with urllib.request.urlopen(self.url, timeout=5) as response:  # noqa: S310 (configured URL)
            data = json.loads(response.read(1_000_000))
        self._keys = {k.key_id: k for k in jwt.PyJWKSet.from_dict(data).keys if k.key_id}
        self._fetched = time.monotonic()

    def key(self, kid: str) -> jwt.PyJWK:
        now = time.monotonic()
        stale = now - self._fetched > self.lifespan
        if stale or (kid not in self._keys and now - self._fetched > self.min_refresh):
            with self._lock:
                try:
                    self._fetch()
                except Exception as exc:  # the issuer is down: keep the keys we have
                    self._fetched = now
                    if not self._keys:
                        raise AuthError("signing keys are unavailable; retry shortly") from exc
        try:
            return self._keys[kid]
        except KeyError as exc:
            raise AuthError("token signed with an unknown key") from exc


def _claim_str(claims: dict, name: str, pattern: re.Pattern, required: bool = False) -> str | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise AuthError(f"token claim '{name}' must be a string matching {pattern.pattern}")
    return value


def _claim_roles(claims: dict) -> frozenset[str]:
    roles = claims.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise AuthError("token claim 'roles' must be a list of strings")
    known = frozenset(r for r in roles if r in ROLES)
    if not known:
        raise AuthError("token carries no known role")
    return known


class _VerifiedCache:
    """Identities of recently verified tokens, keyed by the token's SHA-256, each kept for at
    most `ttl` seconds and never past the token's own `exp`."""

    def __init__(self, ttl: float = 60.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[bytes, tuple[Identity, float]] = {}

    def get(self, key: bytes) -> Identity | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.time() >= entry[1]:
            self._entries.pop(key, None)
            return None
        return entry[0]

    def put(self, key: bytes, identity: Identity) -> None:
        until = min(time.time() + self.ttl, identity.expires_at)
        if until <= time.time():
            return
        if len(self._entries) >= self.max_entries:
            now = time.time()
            self._entries = {k: v for k, v in self._entries.items() if v[1] > now}
            while len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (identity, until)

    def clear(self) -> None:
        self._entries.clear()


class TokenVerifier:
    def __init__(self, *, issuer: str, audience: str, jwks_path: str = "", jwks_url: str = "",
                 cache_seconds: float = 60.0) -> None:
        self.issuer = issuer
        self.audience = audience
        self.keys = _JwksUrl(jwks_url) if jwks_url else _JwksFile(jwks_path)
        self.cache = _VerifiedCache(cache_seconds) if cache_seconds > 0 else None

    @classmethod
    def from_settings(cls, settings) -> "TokenVerifier":
        """The verifier a service's settings describe (issuer, audience, JWKS file or URL)."""
        return cls(issuer=settings.token_issuer, audience=settings.token_audience,
                   jwks_path=settings.jwks_path, jwks_url=settings.jwks_url)

    def verify(self, token: str) -> Identity:
        """The token's identity, or AuthError naming the rule that failed.

        A token verified in the last minute is answered from a cache keyed by its SHA-256
        (never past its `exp`): the signature check is the costly part of a request.
        """
        if len(token) > MAX_TOKEN_CHARS:
            raise AuthError(f"bearer token longer than {MAX_TOKEN_CHARS} characters")
        if self.cache is None:
            return self._verify(token)
        key = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
        identity = self.cache.get(key)
        if identity is None:
            identity = self._verify(token)
            self.cache.put(key, identity)
        return identity

    def _verify(self, token: str) -> Identity:
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
        except (TypeError, ValueError) as exc:  # e.g. a non-numeric exp
            raise AuthError("token claims are malformed") from exc
        if not isinstance(claims.get("exp"), (int, float)) or isinstance(claims.get("exp"), bool):
            raise AuthError("token claim 'exp' must be a number")
        subject = _claim_str(claims, "sub", SUBJECT_PATTERN, required=True)
        roles = _claim_roles(claims)
        force_id = _claim_str(claims, "force_id", SLUG_PATTERN)
        org = _claim_str(claims, "org", SLUG_PATTERN)
        for name in ("forces", "grants"):
            value = claims.get(name)
            if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise AuthError(f"token claim '{name}' must be a list of strings")
        # A `forces` claim grants nothing: which forces a partner reaches comes from the
        # data-sharing agreements the platform holds (the gateway's), never from a token.
        return Identity(subject=subject, roles=roles, force_id=force_id, org=org,
                        grants=frozenset(claims.get("grants") or ()), expires_at=float(claims["exp"]))


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
        grants: list[str] | None = None,
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
        if grants:
            claims["grants"] = grants
        kid = (self.directory / "kid").read_text().strip()
        return jwt.encode(claims, self.key_path.read_bytes(), algorithm="ES256", headers={"kid": kid})
