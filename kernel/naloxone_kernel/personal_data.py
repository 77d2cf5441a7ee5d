"""Personal data, done once for every service: pseudonyms, encrypted fields, erasure, retention.

DESIGN.md, "Personal data": the platform never stores a name; a subject is a pseudonym;
fields that describe a person or an exact place are encrypted with per-subject keys the
service holds, so an erasure request makes them unreadable everywhere (crypto-shredding).

- **Pseudonyms at the edge.** A force's own identifier for a person (custody record
  number, local person id) becomes `ps1_<base64url(HMAC-SHA256(force key, identifier))>`.
  The force key is derived from the platform's pseudonym secret with HKDF, the force id
  as context (or is the force's own secret, when configured), so the same person gets
  the same pseudonym within a force and unlinkable ones across forces. The raw
  identifier is used once, here, and never stored, logged or published.
- **Data keys.** Each record about a subject (an administration, a take-home supply, a
  referral) gets its own 256-bit AES-GCM data key, tagged with the subject's pseudonym,
  the record and when the recorded fact happened. Keys are stored wrapped (AES-GCM) by
  the service's wrapping key from settings; a development wrapping key is refused
  outside development. Older wrapping keys may be listed for rotation.
- **Sealed fields.** `seal` gives `0x01 | key id (16) | nonce (12) | AES-GCM(ciphertext+tag)`,
  the version, key id and the field's context (record and field name) authenticated as
  associated data, so a sealed value cannot be moved to another record or field. The
  event store and Kafka only ever hold these bytes.
- **Erasure.** `KeyStore.erase_subject` deletes every key of the subject in a force (and
  `shred_record` one record's key, for retention); what was sealed with them is then
  unreadable in the event store, on every topic, in every view. A small log of what was
  shredded (key and record ids, the reason and when; never the pseudonym) lets readers
  say "erased" rather than "missing".

A service keeps the key store in its own database: its migration runs `KEY_STORE_DDL`.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Callable, Iterable, Mapping, Protocol, Sequence
from uuid import UUID, uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import AfterValidator, Field, SecretStr, model_validator
from pydantic_core import PydanticCustomError

from .auth import Forbidden, authorize_force
from .commands import CommandOutcome, CommandRunner, Decision
from .commands import Outcome as CommandOutcomeKind
from .contract_values import to_enum, to_timestamp
from .domain import UK, DomainEvent
from .eventstore import SavepointEventStore
from .reactor import Reaction
from .repository import CommandContext, EventMapper
from .schemas import Strict
from .service import Caller, Job, JobContext
from .settings import ServiceProcessSettings

# --- settings ------------------------------------------------------------------------

#: Development-only secrets: well known, so refused outside development.
DEV_PSEUDONYM_SECRET = "naloxone-development-pseudonym-secret-do-not-use-in-production"
DEV_WRAPPING_KEY = base64.b64encode(hashlib.sha256(b"naloxone-development-wrapping-key").digest()).decode()
DEV_WRAPPING_KEY_ID = "dev-1"

MIN_SECRET_BYTES = 32


def _key_bytes(value: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ValueError(f"{what} must be base64") from exc
    if len(raw) != 32:
        raise ValueError(f"{what} must be 32 bytes (AES-256), base64-encoded")
    return raw


class PersonalDataSettings(ServiceProcessSettings):
    """Options of a service that holds personal data (env `<SERVICE>_...`, maps as JSON)."""

    #: The platform's pseudonymisation secret; each force's HMAC key is derived from it. One
    #: platform-wide variable (not per service): incidents, inventory and diversion must make the
    #: same pseudonym for the same person, or an erasure at one misses the others' records.
    pseudonym_secret: str = Field(default=DEV_PSEUDONYM_SECRET, validation_alias="NALOX_PSEUDONYM_SECRET")
    #: A force that keeps its own pseudonymisation secret: force id -> secret.
    pseudonym_force_secrets: dict[str, str] = Field(default_factory=dict,
                                                    validation_alias="NALOX_PSEUDONYM_FORCE_SECRETS")
    #: The key that wraps data keys at rest (base64 of 32 bytes), and its id.
    data_key_wrapping_key: str = DEV_WRAPPING_KEY
    data_key_wrapping_key_id: str = DEV_WRAPPING_KEY_ID
    #: Retired wrapping keys still able to unwrap older data keys: key id -> base64 key.
    previous_wrapping_keys: dict[str, str] = Field(default_factory=dict)
    #: Retention per record type, in days from the recorded fact (e.g. {"administration": 2557}).
    retention_days: dict[str, int] = Field(default_factory=dict)

    def fingerprint_key(self) -> bytes:
        """Request fingerprints are keyed by a key derived from the pseudonym secret."""
        return hmac.new(self.pseudonym_secret.encode(), b"idempotency-fingerprint", hashlib.sha256).digest()

    @model_validator(mode="after")
    def _refuse_dev_keys_and_check_shapes(self) -> "PersonalDataSettings":
        _key_bytes(self.data_key_wrapping_key, "data_key_wrapping_key")
        for key_id, key in self.previous_wrapping_keys.items():
            _key_bytes(key, f"previous_wrapping_keys[{key_id}]")
        secrets = [self.pseudonym_secret, *self.pseudonym_force_secrets.values()]
        if any(len(s.encode()) < MIN_SECRET_BYTES for s in secrets):
            raise ValueError(f"pseudonym secrets must be at least {MIN_SECRET_BYTES} bytes")
        if any(days < 1 for days in self.retention_days.values()):
            raise ValueError("retention_days must be at least 1 day for every record type")
        if self.environment != "development":
            if self.pseudonym_secret == DEV_PSEUDONYM_SECRET:
                raise ValueError(f"{self.service_name}: pseudonym_secret is the development secret; "
                                 "set a real secret outside development")
            dev = {DEV_WRAPPING_KEY} & {self.data_key_wrapping_key, *self.previous_wrapping_keys.values()}
            if dev or self.data_key_wrapping_key_id == DEV_WRAPPING_KEY_ID:
                raise ValueError(f"{self.service_name}: data_key_wrapping_key is the development key; "
                                 "set a real key outside development")
        return self


# --- pseudonyms ----------------------------------------------------------------------

PSEUDONYM_PREFIX = "ps1_"
#: What a pseudonym looks like anywhere on the platform (callers may make their own, 16-128 chars).
PSEUDONYM_PATTERN = r"^[A-Za-z0-9_-]{16,128}$"
#: A force's own identifier for a person: a custody record number or local person id.
LOCAL_IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /._:-]{0,63}$")


class InvalidIdentifier(ValueError):
    """A local identifier that is not an identifier (the message never repeats it)."""


def normalise_identifier(value: str) -> str:
    """One spelling per identifier: NFKC, trimmed, inner whitespace collapsed, upper case."""
    text = " ".join(unicodedata.normalize("NFKC", value).split()).upper()
    if not LOCAL_IDENTIFIER_PATTERN.fullmatch(text):
        raise InvalidIdentifier("a local identifier is 1-64 letters, digits, spaces and /._:- "
                                "(a custody record number or local person id, never a name)")
    return text


class Pseudonymiser:
    """Keyed HMAC per force: same person, same pseudonym within a force; unlinkable across forces."""

    def __init__(self, secret: str, force_secrets: Mapping[str, str] | None = None) -> None:
        self._secret = secret.encode()
        self._force_secrets = {f: s.encode() for f, s in (force_secrets or {}).items()}
        self._keys: dict[str, bytes] = {}

    @classmethod
    def from_settings(cls, settings: PersonalDataSettings) -> "Pseudonymiser":
        return cls(settings.pseudonym_secret, settings.pseudonym_force_secrets)

    def _force_key(self, force_id: str) -> bytes:
        key = self._keys.get(force_id)
        if key is None:
            own = self._force_secrets.get(force_id)
            key = own if own is not None else HKDF(
                algorithm=hashes.SHA256(), length=32, salt=b"naloxone/pseudonym/v1", info=force_id.encode(),
            ).derive(self._secret)
            self._keys[force_id] = key
        return key

    def pseudonym(self, force_id: str, local_identifier: str) -> str:
        mac = hmac.new(self._force_key(force_id), normalise_identifier(local_identifier).encode(),
                       hashlib.sha256).digest()
        return PSEUDONYM_PREFIX + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def __repr__(self) -> str:  # never print the secret
        return "Pseudonymiser(<secret>)"


# --- sealing -------------------------------------------------------------------------

FORMAT_V1 = b"\x01"
_HEADER = 1 + 16 + 12


class Unreadable(Exception):
    """A sealed value whose key is gone (erased or past retention) or that does not verify."""


@dataclass(frozen=True)
class DataKey:
    key_id: UUID
    material: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> "DataKey":
        return cls(uuid4(), AESGCM.generate_key(bit_length=256))


def _aad(key_id: UUID, context: str) -> bytes:
    return FORMAT_V1 + key_id.bytes + context.encode()


def seal(key: DataKey, plaintext: bytes, context: str) -> bytes:
    """Encrypt `plaintext` for one field of one record (`context`, e.g. "administration/<id>/location")."""
    nonce = os.urandom(12)
    return FORMAT_V1 + key.key_id.bytes + nonce + AESGCM(key.material).encrypt(nonce, plaintext,
                                                                               _aad(key.key_id, context))


def sealed_key_id(blob: bytes) -> UUID:
    if len(blob) <= _HEADER or blob[:1] != FORMAT_V1:
        raise Unreadable("not a sealed value of a known format")
    return UUID(bytes=bytes(blob[1:17]))


def unseal(key: DataKey, blob: bytes, context: str) -> bytes:
    if sealed_key_id(blob) != key.key_id:
        raise Unreadable("sealed with another key")
    try:
        return AESGCM(key.material).decrypt(bytes(blob[17:29]), bytes(blob[29:]), _aad(key.key_id, context))
    except InvalidTag as exc:
        raise Unreadable("sealed value does not verify for this record and field") from exc


def seal_json(key: DataKey, value: Mapping[str, Any], context: str) -> bytes:
    return seal(key, json.dumps(value, separators=(",", ":"), sort_keys=True).encode(), context)


def unseal_json(key: DataKey, blob: bytes, context: str) -> dict:
    return json.loads(unseal(key, blob, context))


def as_text(blob: bytes | None) -> str | None:
    """Sealed bytes as text, for a domain event stored as JSON (base64url, no padding)."""
    return None if blob is None else base64.urlsafe_b64encode(blob).rstrip(b"=").decode()


def as_bytes(text: str | None) -> bytes:
    """The sealed bytes back from `as_text` (empty for none: the contract's default)."""
    if not text:
        return b""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class KeyWrapper:
    """Wraps data keys at rest under the service's wrapping key (AES-GCM, the key id as AAD)."""

    def __init__(self, current_id: str, current: bytes, previous: Mapping[str, bytes] | None = None) -> None:
        self.current_id = current_id
        self._keys = {**(previous or {}), current_id: current}

    @classmethod
    def from_settings(cls, settings: PersonalDataSettings) -> "KeyWrapper":
        return cls(settings.data_key_wrapping_key_id,
                   _key_bytes(settings.data_key_wrapping_key, "data_key_wrapping_key"),
                   {k: _key_bytes(v, k) for k, v in settings.previous_wrapping_keys.items()})

    def wrap(self, key: DataKey) -> tuple[str, bytes]:
        nonce = os.urandom(12)
        return self.current_id, nonce + AESGCM(self._keys[self.current_id]).encrypt(nonce, key.material,
                                                                                    key.key_id.bytes)

    def unwrap(self, wrapping_key_id: str, key_id: UUID, wrapped: bytes) -> DataKey:
        kek = self._keys.get(wrapping_key_id)
        if kek is None:
            raise Unreadable(f"data key {key_id} is wrapped by unknown wrapping key {wrapping_key_id!r}")
        try:
            return DataKey(key_id, AESGCM(kek).decrypt(bytes(wrapped[:12]), bytes(wrapped[12:]), key_id.bytes))
        except InvalidTag as exc:
            raise Unreadable(f"data key {key_id} does not unwrap") from exc

    def __repr__(self) -> str:
        return f"KeyWrapper(current={self.current_id!r})"


# --- the key store -------------------------------------------------------------------

KEY_STORE_DDL = """
CREATE TABLE IF NOT EXISTS personal_data_keys (
    key_id            uuid PRIMARY KEY,
    force_id          text NOT NULL,
    subject_pseudonym text,
    record_type       text NOT NULL,
    record_id         uuid NOT NULL,
    occurred_at       timestamptz NOT NULL,
    wrapping_key_id   text NOT NULL,
    wrapped_key       bytea NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT personal_data_keys_one_per_record UNIQUE (record_type, record_id)
);
CREATE INDEX IF NOT EXISTS personal_data_keys_by_subject ON personal_data_keys (force_id, subject_pseudonym);
CREATE INDEX IF NOT EXISTS personal_data_keys_by_age ON personal_data_keys (record_type, occurred_at);
CREATE TABLE IF NOT EXISTS personal_data_shredded (
    key_id      uuid PRIMARY KEY,
    force_id    text NOT NULL,
    record_type text NOT NULL,
    record_id   uuid NOT NULL,
    reason      text NOT NULL CHECK (reason IN ('erasure', 'retention')),
    shredded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS personal_data_shredded_by_record ON personal_data_shredded (record_type, record_id)
"""

#: What a reader shows for a sealed field, by the state of its key.
AVAILABLE, ERASED, RETENTION_EXPIRED, ABSENT = "available", "erased", "retention_expired", "absent"


@dataclass(frozen=True)
class Opened:
    """A sealed field as a reader sees it: the value, or why there is none."""

    status: str
    value: dict | None = None


@dataclass(frozen=True)
class Shredded:
    force_id: str
    record_type: str
    record_id: UUID


class _Reader:
    """Opening sealed fields, over any store's `load`."""

    async def load(self, key_ids: Iterable[UUID]) -> tuple[dict[UUID, DataKey], dict[UUID, str]]:
        raise NotImplementedError

    async def open(self, sealed: Sequence[tuple[bytes | None, str]]) -> list[Opened]:
        """Decrypt many sealed JSON fields at read time: (blob, context) in, one `Opened` each out."""
        ids = {}
        for blob, _ in sealed:
            if blob:
                try:
                    ids[bytes(blob)] = sealed_key_id(blob)
                except Unreadable:
                    pass
        keys, gone = await self.load(ids.values())
        out = []
        for blob, context in sealed:
            if not blob:
                out.append(Opened(ABSENT))
                continue
            key_id = ids.get(bytes(blob))
            key = keys.get(key_id) if key_id else None
            if key is None:
                out.append(Opened(gone.get(key_id, ERASED)))
                continue
            try:
                out.append(Opened(AVAILABLE, unseal_json(key, blob, context)))
            except Unreadable:
                out.append(Opened(ERASED))
        return out


class KeyStore(_Reader):
    """The service's data keys, on a pool or (inside a command's transaction) a connection."""

    def __init__(self, db, wrapper: KeyWrapper) -> None:
        self.db = db
        self.wrapper = wrapper

    def _key(self, row) -> DataKey:
        return self.wrapper.unwrap(row["wrapping_key_id"], row["key_id"], row["wrapped_key"])

    async def create(self, *, force_id: str, subject_pseudonym: str | None, record_type: str, record_id: UUID,
                     occurred_at: datetime) -> DataKey:
        """The record's data key, made now (or the one it already has: one key per record)."""
        key = DataKey.generate()
        wrapping_key_id, wrapped = self.wrapper.wrap(key)
        row = await self.db.fetchrow(
            """INSERT INTO personal_data_keys (key_id, force_id, subject_pseudonym, record_type, record_id,
                                               occurred_at, wrapping_key_id, wrapped_key)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (record_type, record_id) DO UPDATE SET record_id = EXCLUDED.record_id
               RETURNING key_id, wrapping_key_id, wrapped_key""",
            key.key_id, force_id, subject_pseudonym, record_type, record_id, occurred_at, wrapping_key_id, wrapped)
        return key if row["key_id"] == key.key_id else self._key(row)

    async def for_record(self, record_type: str, record_id: UUID) -> DataKey | None:
        row = await self.db.fetchrow(
            "SELECT key_id, wrapping_key_id, wrapped_key FROM personal_data_keys "
            "WHERE record_type = $1 AND record_id = $2", record_type, record_id)
        return self._key(row) if row else None

    async def relink(self, record_type: str, record_id: UUID, subject_pseudonym: str | None) -> None:
        """The record's subject became known (or changed): its key now belongs to that subject."""
        await self.db.execute("UPDATE personal_data_keys SET subject_pseudonym = $3 "
                              "WHERE record_type = $1 AND record_id = $2", record_type, record_id, subject_pseudonym)

    async def load(self, key_ids: Iterable[UUID]) -> tuple[dict[UUID, DataKey], dict[UUID, str]]:
        """The keys that still exist, and for the others why they are gone (erased / retention)."""
        ids = list(dict.fromkeys(key_ids))
        if not ids:
            return {}, {}
        rows = await self.db.fetch("SELECT key_id, wrapping_key_id, wrapped_key FROM personal_data_keys "
                                   "WHERE key_id = ANY($1::uuid[])", ids)
        keys = {r["key_id"]: self._key(r) for r in rows}
        missing = [i for i in ids if i not in keys]
        gone = {}
        if missing:
            for r in await self.db.fetch("SELECT key_id, reason FROM personal_data_shredded "
                                         "WHERE key_id = ANY($1::uuid[])", missing):
                gone[r["key_id"]] = ERASED if r["reason"] == "erasure" else RETENTION_EXPIRED
        return keys, gone

    async def subject_records(self, force_id: str, subject_pseudonym: str) -> list[dict]:
        """What keys the service holds for a subject (for subject access): record type, id, when."""
        rows = await self.db.fetch(
            "SELECT record_type, record_id, occurred_at, created_at FROM personal_data_keys "
            "WHERE force_id = $1 AND subject_pseudonym = $2 ORDER BY occurred_at, record_id",
            force_id, subject_pseudonym)
        return [dict(r) for r in rows]

    async def _shred(self, where: str, *args, reason: str) -> list[Shredded]:
        rows = await self.db.fetch(
            f"""WITH gone AS (DELETE FROM personal_data_keys WHERE {where}
                              RETURNING key_id, force_id, record_type, record_id)
                INSERT INTO personal_data_shredded (key_id, force_id, record_type, record_id, reason)
                SELECT key_id, force_id, record_type, record_id, '{reason}' FROM gone
                ON CONFLICT (key_id) DO NOTHING
                RETURNING force_id, record_type, record_id""", *args)
        return [Shredded(r["force_id"], r["record_type"], r["record_id"]) for r in rows]

    async def erase_subject(self, force_id: str, subject_pseudonym: str) -> list[Shredded]:
        """Crypto-shred every record of the subject in the force; returns the records shredded."""
        return await self._shred("force_id = $1 AND subject_pseudonym = $2", force_id, subject_pseudonym,
                                 reason="erasure")

    async def shred_record(self, record_type: str, record_id: UUID) -> bool:
        """Crypto-shred one record's personal fields (retention); False if already gone."""
        return bool(await self._shred("record_type = $1 AND record_id = $2", record_type, record_id,
                                      reason="retention"))

    async def past_retention(self, record_type: str, before: datetime, *, limit: int = 500) -> list[tuple[str, UUID]]:
        """(force, record id) of records whose fact happened before `before` and still have a key."""
        rows = await self.db.fetch(
            "SELECT force_id, record_id FROM personal_data_keys WHERE record_type = $1 AND occurred_at < $2 "
            "ORDER BY occurred_at, record_id LIMIT $3", record_type, before, limit)
        return [(r["force_id"], r["record_id"]) for r in rows]

class InMemoryKeyStore(_Reader):
    """The key store's contract in memory, for unit tests of decisions (with InMemoryEventStore)."""

    def __init__(self) -> None:
        self.keys: dict[UUID, dict] = {}
        self.shredded: dict[UUID, str] = {}

    async def create(self, *, force_id: str, subject_pseudonym: str | None, record_type: str, record_id: UUID,
                     occurred_at: datetime) -> DataKey:
        for row in self.keys.values():
            if (row["record_type"], row["record_id"]) == (record_type, record_id):
                return row["key"]
        key = DataKey.generate()
        self.keys[key.key_id] = {"key": key, "force_id": force_id, "subject_pseudonym": subject_pseudonym,
                                 "record_type": record_type, "record_id": record_id, "occurred_at": occurred_at}
        return key

    def _find(self, record_type: str, record_id: UUID) -> dict | None:
        return next((r for r in self.keys.values() if (r["record_type"], r["record_id"]) == (record_type, record_id)),
                    None)

    async def for_record(self, record_type: str, record_id: UUID) -> DataKey | None:
        row = self._find(record_type, record_id)
        return row["key"] if row else None

    async def relink(self, record_type: str, record_id: UUID, subject_pseudonym: str | None) -> None:
        row = self._find(record_type, record_id)
        if row:
            row["subject_pseudonym"] = subject_pseudonym

    async def load(self, key_ids: Iterable[UUID]) -> tuple[dict[UUID, DataKey], dict[UUID, str]]:
        ids = list(key_ids)
        return ({i: self.keys[i]["key"] for i in ids if i in self.keys},
                {i: self.shredded[i] for i in ids if i in self.shredded})

    def _shred(self, match, reason: str) -> list[Shredded]:
        gone = [k for k, r in self.keys.items() if match(r)]
        out = []
        for key_id in gone:
            row = self.keys.pop(key_id)
            self.shredded[key_id] = ERASED if reason == "erasure" else RETENTION_EXPIRED
            out.append(Shredded(row["force_id"], row["record_type"], row["record_id"]))
        return out

    async def erase_subject(self, force_id: str, subject_pseudonym: str) -> list[Shredded]:
        return self._shred(lambda r: (r["force_id"], r["subject_pseudonym"]) == (force_id, subject_pseudonym),
                           "erasure")

    async def shred_record(self, record_type: str, record_id: UUID) -> bool:
        return bool(self._shred(lambda r: (r["record_type"], r["record_id"]) == (record_type, record_id),
                                "retention"))


class PersonalData:
    """What a service holding personal data builds once from its settings."""

    def __init__(self, settings: PersonalDataSettings) -> None:
        self.pseudonyms = Pseudonymiser.from_settings(settings)
        self.wrapper = KeyWrapper.from_settings(settings)
        self.retention_days = dict(settings.retention_days)

    def keys(self, db) -> KeyStore:
        return KeyStore(db, self.wrapper)

    def pseudonym(self, force_id: str, local_identifier: str) -> str:
        return self.pseudonyms.pseudonym(force_id, local_identifier)

    @classmethod
    def of(cls, settings: PersonalDataSettings) -> "PersonalData":
        """One per settings object (per process): keys are derived and unwrapped once."""
        found = _BUILT.get(id(settings))
        if found is None or found[0] is not settings:
            found = _BUILT[id(settings)] = (settings, cls(settings))
        return found[1]


_BUILT: dict[int, tuple[PersonalDataSettings, PersonalData]] = {}


# --- commands that create or destroy keys ----------------------------------------------

async def run_with_keys(pool, mapper: EventMapper, personal: PersonalData, ctx: CommandContext,
                        decision_for: Callable[[KeyStore], Decision]) -> CommandOutcome:
    """Run a command whose decision makes, uses or destroys data keys, in one transaction.

    The keys it creates (a new record's), or deletes (an erasure, a retention shred),
    commit with its events and its idempotent answer, or not at all: no orphan key, and
    no event saying a key was destroyed while the key survives.
    """
    async with pool.acquire() as conn, conn.transaction():
        runner = CommandRunner(SavepointEventStore(conn), mapper, look_first=True)  # keys are side effects
        return await runner.run(ctx, decision_for(personal.keys(conn)))


# --- sharing data keys with the owning force (egress; issue 10) -------------------------
# A force's IT reads its own subjects' sealed fields from its egress topic: each data key
# is sealed again, with HPKE (RFC 9180), for that force's X25519 public key. The same
# sealing carries a force system's personal fields to the platform (inbound).

HPKE_ALGORITHM = "HPKE-X25519-SHA256-AES256GCM"
FORCE_DATA_KEY_INFO = b"naloxone/force-data-key/v1:"


def _hpke():
    from cryptography.hazmat.primitives import hpke

    return hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


def hpke_seal(public_key, plaintext: bytes, info: bytes) -> bytes:
    """Single-shot HPKE base mode: the encapsulated key followed by the ciphertext."""
    return _hpke().encrypt(plaintext, public_key, info=info)


def hpke_open(private_key, blob: bytes, info: bytes) -> bytes:
    try:
        return _hpke().decrypt(blob, private_key, info=info)
    except Exception as exc:  # wrong key, wrong info, or tampered: all the same to a reader
        raise Unreadable("does not open with this key") from exc


def public_key_id(public_key) -> str:
    """A short, stable name for an X25519 public key (first 16 hex digits of SHA-256 of its bytes)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return hashlib.sha256(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


@dataclass(frozen=True)
class SharedDataKey:
    """One record's data key sealed for one force (see proto naloxone.egress.v1.ForceDataKey)."""

    key_id: UUID
    force_key_id: str
    wrapped_key: bytes = field(repr=False)
    record_type: str
    record_id: UUID


def unwrap_shared_key(private_key, shared_key_id: UUID, wrapped: bytes) -> DataKey:
    """What the force does: its private key opens the data key, which then opens the sealed fields."""
    return DataKey(shared_key_id, hpke_open(private_key, wrapped, FORCE_DATA_KEY_INFO + shared_key_id.bytes))


async def share_with_force(keys: KeyStore, force_id: str, key_ids: Iterable[UUID], public_key) -> list[SharedDataKey]:
    """The data keys named, each sealed for the force's public key: only keys of records of that
    force, and only keys that still exist (an erased or expired record shares nothing)."""
    ids = list(dict.fromkeys(key_ids))
    if not ids:
        return []
    rows = await keys.db.fetch(
        "SELECT key_id, record_type, record_id, wrapping_key_id, wrapped_key FROM personal_data_keys "
        "WHERE key_id = ANY($1::uuid[]) AND force_id = $2", ids, force_id)
    key_name = public_key_id(public_key)
    return [SharedDataKey(r["key_id"], key_name,
                          hpke_seal(public_key, keys.wrapper.unwrap(r["wrapping_key_id"], r["key_id"],
                                                                   r["wrapped_key"]).material,
                                    FORCE_DATA_KEY_INFO + r["key_id"].bytes),
                          r["record_type"], r["record_id"]) for r in rows]


# --- the same machinery for every service holding personal data (issue 6) ----------------
# What each service would otherwise write again: the words for a person, the request field
# for their local identifier, the DPO's scope, sealing and opening by field name, subject
# access of events, the retention job and the reaction to incidents' SubjectErased.

class AgeBand(enum.StrEnum):
    """A person's age band (sealed: it travels only inside a `_ciphertext` field)."""

    UNDER_18 = "under_18"
    FROM_18_TO_24 = "18_to_24"
    FROM_25_TO_34 = "25_to_34"
    FROM_35_TO_44 = "35_to_44"
    FROM_45_TO_54 = "45_to_54"
    FROM_55_TO_64 = "55_to_64"
    FROM_65 = "65_and_over"
    UNKNOWN = "unknown"


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class ShredReason(enum.StrEnum):
    """Why a record's data key was destroyed."""

    ERASURE = "erasure"
    RETENTION = "retention"


@dataclass(frozen=True, kw_only=True)
class RecordShredded(DomainEvent):
    """Base of a record's "its personal fields were shredded" event; the subclass adds the record's id
    (e.g. `supply_id`) and its `event_type`. Said once per record, by the record itself."""

    force_id: str
    reason: ShredReason
    shredded_at: datetime


def shredded_values(event: RecordShredded, reason_enum, prefix: str) -> dict:
    """The contract fields every such event has (force, reason, when), for its protobuf message."""
    return {"force_id": event.force_id, "reason": to_enum(reason_enum, prefix, event.reason),
            "shredded_at": to_timestamp(event.shredded_at)}


def _checked_identifier(value: SecretStr) -> SecretStr:
    """Shape of a local identifier, checked without ever repeating it."""
    try:
        normalise_identifier(value.get_secret_value())
    except InvalidIdentifier as exc:
        raise PydanticCustomError("local_identifier", str(exc)) from None
    return value


#: The force's own identifier for a person, in a request body: a secret (never echoed in an
#: error, a repr or a log line), made a pseudonym at the edge and never stored.
LocalIdentifier = Annotated[SecretStr, AfterValidator(_checked_identifier)]


class SubjectBody(Strict):
    """The person a record is about: the force's own identifier for them, and details to seal."""

    local_identifier: LocalIdentifier | None = Field(
        default=None, description="the force's own identifier for the person (custody record number, local "
                                  "person id); turned into the platform pseudonym at once, never stored")
    age_band: AgeBand = AgeBand.UNKNOWN
    sex: Sex = Sex.UNKNOWN

    def details(self) -> dict:
        return {"age_band": self.age_band.value, "sex": self.sex.value}


DPO_GRANT = "dpo"


async def dpo_scope(force_id: str, identity: Caller) -> str:
    """The force's data-protection officer: role auditor with the `dpo` grant, in their own force."""
    authorize_force(identity, force_id, frozenset({"auditor"}))
    if DPO_GRANT not in identity.grants:
        raise Forbidden("erasure and subject access need the data-protection officer grant ('dpo')")
    return force_id


def seal_fields(key: DataKey, personal: Mapping[str, Any], context: Callable[[str], str]) -> dict[str, str | None]:
    """Personal fields (name -> JSON value) sealed for a domain event: `<name>_sealed` -> text."""
    return {f"{name}_sealed": None if value is None else as_text(seal_json(key, value, context(name)))
            for name, value in personal.items()}


def shown_status(opened: Opened, shredded: str | None) -> str:
    """What a reader is told of a sealed field: its key's state, or the view's record of a shred."""
    if opened.status != ABSENT:
        return opened.status
    return {ShredReason.ERASURE: ERASED, ShredReason.RETENTION: RETENTION_EXPIRED}.get(shredded, ABSENT)


async def opened_facts(keys: _Reader, facts: dict, names: Iterable[str], context: Callable[[str], str]) -> dict:
    """An event's facts (as JSON) for subject access: each `<name>_sealed` becomes `<name>`, opened
    (or `{"personal_data": "erased" | "retention_expired"}` when its key is gone)."""
    for name in names:
        blob = facts.pop(f"{name}_sealed", None)
        if blob:
            opened = (await keys.open([(as_bytes(blob), context(name))]))[0]
            facts[name] = opened.value if opened.status == AVAILABLE else {"personal_data": opened.status}
    return facts


def upgrade_key_store() -> None:
    """A service's migration that creates its key store (`upgrade = upgrade_key_store`)."""
    from alembic import op

    from .migrations import execute_script

    execute_script(op, KEY_STORE_DDL)


def downgrade_key_store() -> None:
    from alembic import op

    op.execute("DROP TABLE IF EXISTS personal_data_shredded")
    op.execute("DROP TABLE IF EXISTS personal_data_keys")


def retention_cutoff(today: date, days: int) -> datetime:
    """The start of the first UK day still within retention: facts before it are past retention."""
    return datetime.combine(today - timedelta(days=days), time(0), tzinfo=UK)


class Shreddable(Protocol):
    """A record aggregate whose personal fields can be shredded (it says so with an event, once)."""

    version: int

    def shred(self, *, reason: ShredReason, shredded_at: datetime) -> None: ...


def shred_records(keys: KeyStore, record_type: str, aggregate: type[Shreddable], reason: ShredReason,
                  shredded_at: datetime, *, record_id: UUID | None = None,
                  subject: tuple[str, str] | None = None) -> Decision:
    """Destroy the keys of one record (retention) or of a subject's records in a force (erasure),
    and have each record of `record_type` say so, in the one transaction of the command."""

    async def decide(session) -> dict:
        if subject is not None:
            gone = [s.record_id for s in await keys.erase_subject(*subject) if s.record_type == record_type]
        else:
            await keys.shred_record(record_type, record_id)
            gone = [record_id]
        ids = sorted(set(gone))
        records = [r for r in await session.get_many(aggregate, ids) if r.version]
        for record in records:
            record.shred(reason=reason, shredded_at=shredded_at)
        return {"record_type": record_type, "records_shredded": len(records),
                "record_ids": [str(r.id) for r in records]}

    return decide


RETENTION_PAGE = 200


async def shred_past_retention(job: JobContext, today: date, record_type: str, aggregate: type[Shreddable]) -> int:
    """Shred every record of the type whose fact happened before the retention cut-off, one command each.

    Candidates come from the key store itself (records that still have a key), a page at a
    time; the key deletion and the event saying so commit together. The idempotency key is
    the record, so a rerun, or two runs at once, shred each record once.
    """
    personal = PersonalData.of(job.settings)
    days = personal.retention_days.get(record_type)
    if days is None:
        job.progress(0, 0, shredded=0)
        return 0
    pool, mapper = job.runner.store.pool, job.runner.mapper
    before = retention_cutoff(today, days)
    now = datetime.now(UK)
    shredded = 0
    seen: set[UUID] = set()
    while True:
        page = [c for c in await personal.keys(pool).past_retention(record_type, before, limit=RETENTION_PAGE)
                if c[1] not in seen]
        if not page:
            break
        for _force_id, record_id in page:
            seen.add(record_id)
            ctx = CommandContext(actor="system:retention", correlation_id=job.correlation_id,
                                 idempotency_key=f"retention:{record_type}:{record_id}",
                                 fingerprint=f"retention:{record_id}")
            result = await run_with_keys(pool, mapper, personal, ctx, lambda keys, r=record_id: shred_records(
                keys, record_type, aggregate, ShredReason.RETENTION, now, record_id=r))
            shredded += result.outcome is CommandOutcomeKind.CHANGED and not result.replayed
        job.progress(shredded, shredded, shredded=shredded)
    return shredded


def retention_job(record_type: str, aggregate: type[Shreddable], help: str) -> Job:
    """The service's `job retention`: records of `record_type` past `<SERVICE>_RETENTION_DAYS` shredded."""

    async def run(job: JobContext, today: date) -> int:
        return await shred_past_retention(job, today, record_type, aggregate)

    return Job("retention", help, run)


def erasure_reaction(service_name: str, settings_class: type[PersonalDataSettings], record_type: str,
                     aggregate: type[Shreddable]) -> Reaction:
    """What every service holding personal data does on a DPO's erasure at incidents (SubjectErased):
    destroys that subject's keys within the force and has each of its records say so, on the
    reactor's own connection, so keys, events and consumed offsets commit together or not at all."""
    from naloxone.contracts import TOPICS
    from naloxone.incidents.v1 import events_pb2 as incidents_pb

    from .contract_values import from_timestamp
    from .settings import settings_for

    built: list[PersonalData] = []

    def personal() -> PersonalData:  # the reactor process's keys, from `<SERVICE>_*` settings, built once
        if not built:
            built.append(PersonalData(settings_for(service_name, settings_class)))
        return built[0]

    def react(event):
        p = event.payload
        if not isinstance(p, incidents_pb.SubjectErased) or not p.subject_pseudonym:
            return None
        erased_at = from_timestamp(p.erased_at)

        async def decide(session):
            keys = personal().keys(session.store.pool)
            return await shred_records(keys, record_type, aggregate, ShredReason.ERASURE, erased_at,
                                       subject=(p.force_id, p.subject_pseudonym))(session)

        return decide

    return Reaction("erase-subject", (TOPICS["incidents"],), react)
