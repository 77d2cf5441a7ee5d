"""The kernel's personal-data machinery: pseudonyms, sealing, key wrapping, settings, erasure (in memory)."""

import base64
import os
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from naloxone_kernel.personal_data import (
    AVAILABLE,
    DEV_PSEUDONYM_SECRET,
    DEV_WRAPPING_KEY,
    ERASED,
    RETENTION_EXPIRED,
    DataKey,
    InMemoryKeyStore,
    InvalidIdentifier,
    KeyWrapper,
    PersonalDataSettings,
    Pseudonymiser,
    Unreadable,
    as_bytes,
    as_text,
    normalise_identifier,
    seal,
    seal_json,
    sealed_key_id,
    unseal,
    unseal_json,
)
from naloxone_kernel.settings import settings_for

SECRET = "a-test-pseudonymisation-secret-of-enough-length"
identifiers = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9/._:-]{0,40}", fullmatch=True)


def test_same_person_same_force_same_pseudonym_whatever_the_spelling():
    p = Pseudonymiser(SECRET)
    assert p.pseudonym("west-midlands", "cust/2024/00123") == p.pseudonym("west-midlands", "  CUST/2024/00123 ")
    assert p.pseudonym("west-midlands", "AB  12") == p.pseudonym("west-midlands", "ab 12")


def test_two_forces_submitting_the_same_identifier_get_different_pseudonyms():
    p = Pseudonymiser(SECRET)
    assert p.pseudonym("west-midlands", "CUST-1") != p.pseudonym("leicestershire", "CUST-1")


@given(identifiers, identifiers)
def test_pseudonyms_are_opaque_stable_and_distinct(a, b):
    p = Pseudonymiser(SECRET)
    first = p.pseudonym("merseyside", a)
    assert first == Pseudonymiser(SECRET).pseudonym("merseyside", a)
    assert first.startswith("ps1_") and 16 <= len(first) <= 128
    if normalise_identifier(a) != normalise_identifier(b):
        assert first != p.pseudonym("merseyside", b)


def test_a_force_with_its_own_secret_and_another_platform_secret_differ():
    shared = Pseudonymiser(SECRET)
    own = Pseudonymiser(SECRET, {"psni": "the-psni-own-pseudonymisation-secret-value"})
    assert own.pseudonym("psni", "X1") != shared.pseudonym("psni", "X1")
    assert own.pseudonym("btp", "X1") == shared.pseudonym("btp", "X1")
    assert Pseudonymiser(SECRET + "2").pseudonym("btp", "X1") != shared.pseudonym("btp", "X1")
    assert SECRET not in repr(shared)


@pytest.mark.parametrize("bad", ["", " ", "John Smith, 12 High St", "x" * 65, "<script>", "semi;colon", "tab\x00nul"])
def test_a_local_identifier_is_an_identifier_and_errors_never_repeat_it(bad):
    with pytest.raises(InvalidIdentifier) as exc:
        normalise_identifier(bad)
    assert bad.strip() == "" or bad not in str(exc.value)


@given(st.binary(max_size=2000), st.text(max_size=50))
def test_seal_round_trips_and_binds_its_context(plaintext, context):
    key = DataKey.generate()
    blob = seal(key, plaintext, context)
    assert sealed_key_id(blob) == key.key_id
    assert unseal(key, blob, context) == plaintext
    with pytest.raises(Unreadable):
        unseal(key, blob, context + "x")
    with pytest.raises(Unreadable):
        unseal(DataKey.generate(), blob, context)
    if plaintext:
        assert plaintext not in blob[29:] or len(plaintext) < 4


def test_sealed_json_and_its_text_form():
    key = DataKey.generate()
    blob = seal_json(key, {"latitude": 52.4862123, "longitude": -1.8904123}, "r/1/location")
    assert b"52.4862123" not in blob
    text = as_text(blob)
    assert as_bytes(text) == blob and as_bytes(None) == b"" and as_text(None) is None
    assert unseal_json(key, as_bytes(text), "r/1/location") == {"latitude": 52.4862123, "longitude": -1.8904123}
    tampered = bytearray(blob)
    tampered[-1] ^= 1
    with pytest.raises(Unreadable):
        unseal_json(key, bytes(tampered), "r/1/location")


def test_key_wrapping_and_rotation():
    old, new = os.urandom(32), os.urandom(32)
    key = DataKey.generate()
    wrapped_id, wrapped = KeyWrapper("k1", old).wrap(key)
    assert key.material not in wrapped and wrapped_id == "k1"
    rotated = KeyWrapper("k2", new, {"k1": old})
    assert rotated.unwrap("k1", key.key_id, wrapped) == key
    assert rotated.wrap(key)[0] == "k2"
    with pytest.raises(Unreadable):
        KeyWrapper("k2", new).unwrap("k1", key.key_id, wrapped)
    with pytest.raises(Unreadable):
        rotated.unwrap("k1", uuid4(), wrapped)  # the key id is bound to the wrapped key
    assert "material" not in repr(key) or key.material.hex() not in repr(key)


def _settings(**env):
    return settings_for("incidents", PersonalDataSettings).__class__(**env)


def test_development_keys_are_refused_outside_development(monkeypatch):
    real_db = "postgresql://naloxone:real@db/incidents"
    base = dict(environment="production", database_url=real_db, token_issuer="https://issuer.example")
    with pytest.raises(ValueError, match="pseudonym_secret is the development secret"):
        _settings(**base)
    with pytest.raises(ValueError, match="development key"):
        _settings(**base, pseudonym_secret=SECRET)
    real = base64.b64encode(os.urandom(32)).decode()
    ok = _settings(**base, pseudonym_secret=SECRET, data_key_wrapping_key=real, data_key_wrapping_key_id="kms-1")
    assert ok.pseudonym_secret == SECRET
    dev = _settings()
    assert dev.pseudonym_secret == DEV_PSEUDONYM_SECRET and dev.data_key_wrapping_key == DEV_WRAPPING_KEY


@pytest.mark.parametrize("bad", [{"data_key_wrapping_key": "bm90LTMyLWJ5dGVz"}, {"pseudonym_secret": "short"},
                                 {"retention_days": {"administration": 0}}])
def test_malformed_personal_data_settings_fail_at_start(bad):
    with pytest.raises(ValueError):
        _settings(**bad)


def test_settings_read_maps_from_the_environment(monkeypatch):
    monkeypatch.setenv("INCIDENTS_RETENTION_DAYS", '{"administration": 30}')
    assert settings_for("incidents", PersonalDataSettings).retention_days == {"administration": 30}


async def test_erasure_and_retention_make_sealed_fields_unreadable():
    store = InMemoryKeyStore()
    at = datetime(2026, 1, 5, tzinfo=UTC)
    a, b, c = uuid4(), uuid4(), uuid4()
    ka = await store.create(force_id="wm", subject_pseudonym="ps1_person", record_type="r", record_id=a, occurred_at=at)
    assert await store.create(force_id="wm", subject_pseudonym="ps1_person", record_type="r", record_id=a,
                              occurred_at=at) == ka  # one key per record
    kb = await store.create(force_id="wm", subject_pseudonym="ps1_other", record_type="r", record_id=b, occurred_at=at)
    kc = await store.create(force_id="lp", subject_pseudonym="ps1_person", record_type="r", record_id=c, occurred_at=at)
    sealed = [(seal_json(k, {"v": n}, f"r/{n}"), f"r/{n}") for n, k in enumerate((ka, kb, kc))]
    assert [o.status for o in await store.open(sealed)] == [AVAILABLE] * 3
    shredded = await store.erase_subject("wm", "ps1_person")
    assert [s.record_id for s in shredded] == [a]
    assert await store.shred_record("r", b) and not await store.shred_record("r", b)
    opened = await store.open(sealed + [(None, "x")])
    assert [o.status for o in opened] == [ERASED, RETENTION_EXPIRED, AVAILABLE, "absent"]
    assert opened[2].value == {"v": 2}  # the same person in another force is another subject


def test_request_fingerprints_of_personal_services_are_keyed():
    """A bare SHA-256 of a body with guessable personal fields could be reversed by trying
    them; services holding personal data key the fingerprint with a secret of theirs."""
    import hashlib

    from naloxone_kernel.http import request_fingerprint
    from naloxone_kernel.personal_data import PersonalDataSettings
    from naloxone_kernel.settings import ServiceProcessSettings

    body = b'{"subject": {"local_identifier": "CR-0001", "age_band": "25_to_34", "sex": "female"}}'
    bare = hashlib.sha256(b"POST /x\n" + body).hexdigest()
    assert request_fingerprint("POST", "/x", body) == bare
    assert ServiceProcessSettings.fingerprint_key(None) == b""
    settings = PersonalDataSettings.model_construct(pseudonym_secret="s" * 40)
    other = PersonalDataSettings.model_construct(pseudonym_secret="t" * 40)
    keyed = request_fingerprint("POST", "/x", body, settings.fingerprint_key())
    assert keyed != bare and len(keyed) == 64
    assert keyed == request_fingerprint("POST", "/x", body, settings.fingerprint_key())  # stable: replays match
    assert keyed != request_fingerprint("POST", "/x", body, other.fingerprint_key())
