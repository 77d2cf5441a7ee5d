"""The key pairs of the event-stream integration: each force's, and the platform's inbound one.

Egress seals each record's data key for the owning force's X25519 public key, so the
force (and nobody else) opens its own subjects' fields. Inbound, a force system seals a
record's personal fields for the platform's inbound public key. Keys are PEM files in
one directory (`NALOX_INTEGRATION_KEYS_DIR`):

    forces/<force_id>.pub.pem     what the platform needs of each force (public)
    forces/<force_id>.key.pem     development only: the force's half, for examples and tests
    inbound.key.pem, inbound.pub.pem   the platform's inbound key pair (private half secret)

In development `naloxctl keys init` generates all of them under the state directory;
in production the directory is a mounted secret holding the forces' public keys (the
forces generate their own pairs) and the platform's inbound private key, and the
development directory is refused.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from .logging import get_logger
from .settings import state_dir

log = get_logger("integration-keys")
INBOUND = "inbound"


def dev_keys_dir() -> Path:
    return state_dir() / "integration-keys"


def keys_dir(environment: str = "development") -> Path:
    """The directory of integration keys; outside development it must be set, and not the dev one."""
    configured = os.environ.get("NALOX_INTEGRATION_KEYS_DIR")
    if environment != "development" and (not configured or Path(configured) == dev_keys_dir()):
        raise ValueError("NALOX_INTEGRATION_KEYS_DIR must name the production key directory outside development")
    return Path(configured) if configured else dev_keys_dir()


def _write_pair(private_path: Path, public_path: Path) -> None:
    key = X25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = private_path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    public_path.write_bytes(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    tmp.rename(private_path)


def ensure_dev_keys(directory: Path, forces: list[str]) -> int:
    """Generate the missing development key pairs (kept if they exist); returns how many were made."""
    made = 0
    wanted = [(directory / f"{INBOUND}.key.pem", directory / f"{INBOUND}.pub.pem")]
    wanted += [(directory / "forces" / f"{f}.key.pem", directory / "forces" / f"{f}.pub.pem") for f in forces]
    for private_path, public_path in wanted:
        if not private_path.exists():
            _write_pair(private_path, public_path)
            made += 1
    return made


class IntegrationKeys:
    """Reads the directory once per key (a force's key appearing later is picked up)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._public: dict[str, X25519PublicKey] = {}
        self._missing_logged: set[str] = set()

    def force_public_key(self, force_id: str) -> X25519PublicKey | None:
        found = self._public.get(force_id)
        if found is None:
            path = self.directory / "forces" / f"{force_id}.pub.pem"
            try:
                found = load_pem_public_key(path.read_bytes())
            except FileNotFoundError:
                if force_id not in self._missing_logged:
                    log.warning("no public key for force; its egress carries ciphertext it cannot open",
                                force_id=force_id, path=str(path))
                    self._missing_logged.add(force_id)
                return None
            if not isinstance(found, X25519PublicKey):
                raise ValueError(f"{path} is not an X25519 public key")
            self._public[force_id] = found
        return found

    def force_private_key(self, force_id: str) -> X25519PrivateKey:
        """Development and tests only: the force's own half (a real force keeps it to itself)."""
        return _private(self.directory / "forces" / f"{force_id}.key.pem")

    def inbound_private_key(self) -> X25519PrivateKey | None:
        try:
            return _private(self.directory / f"{INBOUND}.key.pem")
        except FileNotFoundError:
            return None

    def inbound_public_key(self) -> X25519PublicKey:
        key = load_pem_public_key((self.directory / f"{INBOUND}.pub.pem").read_bytes())
        assert isinstance(key, X25519PublicKey)
        return key


@cache
def _private(path: Path) -> X25519PrivateKey:
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, X25519PrivateKey):
        raise ValueError(f"{path} is not an X25519 private key")
    return key
