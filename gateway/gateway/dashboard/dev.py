"""Development sign-in for the dashboard: a picker of local identities, each signed in with a
short-lived token from the local development issuer (kernel `DevIssuer`).

Off unless the gateway is started with GATEWAY_DEV_ISSUER_DIR naming that issuer's key
directory: only the local stack (`naloxctl stack`, `make up`) and the test stacks set it; the
Compose and Kubernetes files never do, so a real deployment signs in with its identity
provider's tokens only. Off, both routes answer 404 and the page shows only the paste form.

The gateway refuses to start with it set outside development, with a JWKS URL, or when its own
verifier would not accept what the issuer signs: a picker whose tokens are refused, or one that
signs beside a real issuer, is a misconfiguration to fail on, not to run with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from naloxone_kernel.auth import DevIssuer
from naloxone_kernel.http import error_body
from naloxone_kernel.logging import get_logger
from naloxone_kernel.reference.forces import FORCES
from naloxone_kernel.schemas import Strict
from pydantic import Field

log = get_logger("gateway.dashboard")

#: A minted token's lifetime: a working session's length, and never more than an hour.
DEV_TOKEN_TTL_SECONDS = 3600
NOT_ENABLED = ("development sign-in is not enabled on this gateway (the local stack enables it with "
               "GATEWAY_DEV_ISSUER_DIR); paste a token from your identity provider")


@dataclass(frozen=True)
class DevIdentity:
    """One identity the picker offers; its claims are those `naloxctl token` mints for it."""

    id: str
    label: str
    roles: tuple[str, ...]
    force_id: str | None = None

    @property
    def subject(self) -> str:
        return f"dev-{self.roles[0]}@{self.force_id or 'national'}"  # as `naloxctl token` names it

    def as_json(self) -> dict:
        return {"id": self.id, "label": self.label, "subject": self.subject, "roles": list(self.roles),
                "force_id": self.force_id}


#: The identities offered: a national lead, then each force's lead (force_admin), by force name.
IDENTITIES: dict[str, DevIdentity] = {i.id: i for i in [
    DevIdentity("national-lead", "National lead (aggregates of every force)", ("national_lead",)),
    *(DevIdentity(f"force-lead:{f.id}", f"Force lead: {f.name}", ("force_admin",), f.id)
      for f in sorted(FORCES, key=lambda f: f.name)),
]}


class DevTokenRequest(Strict):
    identity: str = Field(min_length=1, max_length=100, description="an id from GET /dashboard/dev/identities")


def development_issuer(directory: str, settings) -> DevIssuer | None:
    """The issuer GATEWAY_DEV_ISSUER_DIR names, checked against the gateway's own settings; None when unset."""
    if not directory:
        return None
    issuer = DevIssuer(directory)
    problem = None
    if settings.environment != "development":
        problem = f"it is set outside development (environment={settings.environment!r})"
    elif settings.jwks_url:
        problem = "the gateway verifies tokens against a JWKS URL, not the development issuer's file"
    elif Path(settings.jwks_path).resolve() != issuer.jwks_path.resolve():
        problem = f"the gateway verifies against {settings.jwks_path}, not the issuer's {issuer.jwks_path}"
    elif (settings.token_issuer, settings.token_audience) != (issuer.issuer, issuer.audience):
        problem = "the gateway's token issuer or audience is not the development issuer's"
    if problem:
        raise ValueError(f"GATEWAY_DEV_ISSUER_DIR={directory}: {problem}; unset it")
    return issuer


def mount_dev_signin(api: FastAPI, issuer: DevIssuer | None, headers: dict[str, str]) -> None:
    """GET /dashboard/dev/identities and POST /dashboard/dev/tokens; without an issuer, every
    /dashboard/dev/ path answers 404 whatever is sent (the routes do not exist)."""
    if issuer is None:
        @api.api_route("/dashboard/dev/{rest:path}", methods=["GET", "HEAD", "POST"], include_in_schema=False)
        async def dev_not_enabled(rest: str) -> JSONResponse:
            return JSONResponse(status_code=404, content=error_body("not_found", NOT_ENABLED), headers=headers)
        return

    @api.get("/dashboard/dev/identities", include_in_schema=False)
    async def dev_identities() -> JSONResponse:
        return JSONResponse({"items": [i.as_json() for i in IDENTITIES.values()],
                             "ttl_seconds": DEV_TOKEN_TTL_SECONDS}, headers=headers)

    @api.post("/dashboard/dev/tokens", include_in_schema=False)
    async def dev_token(body: DevTokenRequest) -> JSONResponse:
        identity = IDENTITIES.get(body.identity)
        if identity is None:
            message = f"'{body.identity}' is not a development identity (see GET /dashboard/dev/identities)"
            return JSONResponse(status_code=422, headers=headers, content=error_body("validation_failed", message, [
                {"field": "body.identity", "rule": "known_identity", "message": message}]))
        token = issuer.mint(subject=identity.subject, roles=list(identity.roles), force_id=identity.force_id,
                            ttl_seconds=DEV_TOKEN_TTL_SECONDS)
        log.info("development token minted", identity=identity.id, subject=identity.subject,
                 ttl_seconds=DEV_TOKEN_TTL_SECONDS)  # who, never the token
        return JSONResponse({"token": token, "token_type": "Bearer", "expires_in": DEV_TOKEN_TTL_SECONDS,
                             "identity": identity.id, "subject": identity.subject}, headers=headers)
