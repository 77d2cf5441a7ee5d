"""The protobuf contracts: committed generated code, names, personal-data rules, round trip."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from google.protobuf import any_pb2, descriptor_pool, text_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor, FileDescriptor

from naloxone import contracts
from naloxone.common.v1 import envelope_pb2, types_pb2
from naloxone.training.v1 import events_pb2 as training

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "contracts" / "src"
HAND_WRITTEN = {Path("naloxone/contracts.py")}

# Every event DESIGN.md names ("DiversionReferral (made)" is DiversionReferralMade).
DESIGN_EVENTS = {
    "training": ["OfficerEnrolled", "TrainingCompleted", "CertificationExpired", "OfficerWithdrawn"],
    "inventory": [
        "StockReceived",
        "KitIssued",
        "KitReturned",
        "KitUsed",
        "KitExpired",
        "BatchRecalled",
        "TakeHomeKitSupplied",
    ],
    "incidents": ["NaloxoneAdministered", "IncidentOutcomeRecorded", "OverdoseSpikeDetected"],
    "diversion": ["DiversionReferralMade", "ReferralAccepted", "ReferralDeclined", "TreatmentEngaged"],
}

# Field names that would carry a name, an address, contact details or free text.
# Personal data travels only as subject_pseudonym or *_ciphertext bytes.
PERSONAL_FIELD = re.compile(
    r"(?:^|_)(?:name|names|first_name|forename|forenames|given_name|middle_name|surname|"
    r"last_name|family_name|full_name|alias|address|street|postcode|post_code|"
    r"date_of_birth|dob|birth_date|nhs_number|phone|telephone|mobile|email|"
    r"notes?|comments?|description|narrative|free_text|text|remarks?)(?:$|_)"
)


def _files(out: Path) -> dict[Path, bytes]:
    root = out / "naloxone"
    return {
        p.relative_to(out): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.relative_to(out) not in HAND_WRITTEN
    }


def _naloxone_files() -> list[FileDescriptor]:
    pool = descriptor_pool.Default()
    names = sorted(
        str(p.relative_to(REPO / "proto")) for p in (REPO / "proto").rglob("*.proto")
    )
    return [pool.FindFileByName(n) for n in names]


def _all_messages(messages) -> list[Descriptor]:
    out = []
    for m in messages:
        out.append(m)
        out.extend(_all_messages(m.nested_types))
    return out


def _event_descriptors() -> list[Descriptor]:
    return [contracts.message_class(n).DESCRIPTOR for names in contracts.EVENT_TYPES.values() for n in names]


# --- the committed generated code is exactly what the generator produces ---------


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    subprocess.run(
        ["bash", str(REPO / "scripts" / "gen_proto.sh"), str(out)],
        cwd=REPO,
        env={**os.environ, "PYTHON": sys.executable},
        check=True,
        capture_output=True,
    )
    return out


def test_committed_code_matches_fresh_generation(fresh: Path) -> None:
    generated = _files(fresh)
    committed = _files(COMMITTED)
    assert generated, "the generator produced nothing"
    assert sorted(committed) == sorted(generated), (
        "contracts/src/naloxone differs in its file list from a fresh generation; "
        "run scripts/gen_proto.sh and commit the result"
    )
    drifted = [str(p) for p in generated if committed[p] != generated[p]]
    assert not drifted, f"regenerate with scripts/gen_proto.sh and commit: {drifted}"


def test_generation_is_deterministic(fresh: Path, tmp_path: Path) -> None:
    subprocess.run(
        ["bash", str(REPO / "scripts" / "gen_proto.sh"), str(tmp_path)],
        cwd=REPO,
        env={**os.environ, "PYTHON": sys.executable},
        check=True,
        capture_output=True,
    )
    assert _files(tmp_path) == _files(fresh)


def test_every_generated_package_is_a_regular_package(fresh: Path) -> None:
    for module in (fresh / "naloxone").rglob("*_pb2.py"):
        for parent in module.relative_to(fresh).parents:
            if parent != Path("."):
                init = fresh / parent / "__init__.py"
                assert init.is_file() and init.read_bytes() == b"", init


# --- names, fields and the personal-data guard ------------------------------------


@pytest.mark.parametrize(
    "domain,name", [(d, n) for d, names in DESIGN_EVENTS.items() for n in names]
)
def test_design_event_exists(domain: str, name: str) -> None:
    full = f"naloxone.{domain}.v1.{name}"
    assert descriptor_pool.Default().FindMessageTypeByName(full)
    assert full in contracts.EVENT_TYPES[domain]
    assert contracts.domain_of(full) == domain
    assert contracts.message_class(full).DESCRIPTOR.full_name == full


def test_every_event_carries_force_id() -> None:
    events = _event_descriptors()
    assert len(events) >= sum(len(v) for v in DESIGN_EVENTS.values())
    for event in events:
        field = event.fields_by_name.get("force_id")
        assert field is not None, f"{event.full_name} has no force_id"
        assert field.type == FieldDescriptor.TYPE_STRING


def test_envelope_has_the_designed_fields() -> None:
    fields = envelope_pb2.EventEnvelope.DESCRIPTOR.fields_by_name
    for name in (
        "event_id", "event_type", "aggregate_type", "aggregate_id", "aggregate_version",
        "force_id", "occurred_at", "recorded_at", "correlation_id", "causation_id", "actor",
    ):
        assert name in fields, name
    assert fields["aggregate_version"].type == FieldDescriptor.TYPE_INT64
    assert fields["payload"].message_type.full_name == "google.protobuf.Any"
    assert fields["occurred_at"].message_type.full_name == "google.protobuf.Timestamp"
    assert fields["recorded_at"].message_type.full_name == "google.protobuf.Timestamp"


def test_no_field_can_carry_names_addresses_or_free_text() -> None:
    offending = []
    for file in _naloxone_files():
        for message in _all_messages(file.message_types_by_name.values()):
            for field in message.fields:
                if field.name.endswith("_ciphertext"):
                    continue
                if PERSONAL_FIELD.search(field.name):
                    offending.append(f"{message.full_name}.{field.name}")
    assert not offending, f"personal data or free text must not go on Kafka: {offending}"


def test_personal_fields_are_pseudonyms_or_ciphertext() -> None:
    for file in _naloxone_files():
        for message in _all_messages(file.message_types_by_name.values()):
            for field in message.fields:
                where = f"{message.full_name}.{field.name}"
                if field.name.endswith("_ciphertext"):
                    assert field.type == FieldDescriptor.TYPE_BYTES, where
                if "subject" in field.name:
                    assert field.name == "subject_pseudonym" or field.name.endswith("_ciphertext"), where
                if "location" in field.name:
                    assert field.name.endswith("_ciphertext"), f"exact locations only as ciphertext: {where}"


def test_subject_events_carry_pseudonym_not_identity() -> None:
    for name in (
        "naloxone.incidents.v1.NaloxoneAdministered",
        "naloxone.inventory.v1.TakeHomeKitSupplied",
        "naloxone.diversion.v1.DiversionReferralMade",
    ):
        fields = contracts.message_class(name).DESCRIPTOR.fields_by_name
        assert fields["subject_pseudonym"].type == FieldDescriptor.TYPE_STRING
        assert "area_code" in fields
    administered = contracts.message_class("naloxone.incidents.v1.NaloxoneAdministered").DESCRIPTOR
    assert administered.fields_by_name["location_ciphertext"].type == FieldDescriptor.TYPE_BYTES
    assert administered.fields_by_name["officer_training_current"].type == FieldDescriptor.TYPE_BOOL


def test_enums_start_with_unspecified_and_are_prefixed() -> None:
    for file in _naloxone_files():
        enums = list(file.enum_types_by_name.values())
        for message in _all_messages(file.message_types_by_name.values()):
            enums.extend(message.enum_types)
        for enum in enums:
            prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"
            assert enum.values[0].number == 0 and enum.values[0].name == prefix + "UNSPECIFIED", enum.full_name
            assert all(v.name.startswith(prefix) for v in enum.values), enum.full_name


# --- registry ---------------------------------------------------------------------


def test_topics() -> None:
    assert {"training", "inventory", "incidents", "diversion", "partnership"} <= set(contracts.TOPICS)
    assert dict(contracts.TOPICS) == {d: f"naloxone.{d}.events.v1" for d in contracts.DOMAINS}
    assert contracts.force_topic("west-midlands") == "naloxone.force.west-midlands.events.v1"
    assert contracts.inbound_topic("inventory") == "naloxone.inbound.inventory.v1"
    assert contracts.dead_letter_topic("inventory") == "naloxone.inbound.inventory.dlq.v1"
    assert contracts.CONTENT_TYPE == "application/x-protobuf"
    assert (contracts.HEADER_EVENT_TYPE, contracts.HEADER_CONTENT_TYPE) == ("event_type", "content-type")
    with pytest.raises(ValueError):
        contracts.force_topic("West Midlands")
    with pytest.raises(ValueError):
        contracts.inbound_topic("payroll")


def test_message_class_lookup() -> None:
    assert contracts.message_class("naloxone.training.v1.OfficerEnrolled") is training.OfficerEnrolled
    assert (
        contracts.message_class("type.googleapis.com/naloxone.training.v1.OfficerEnrolled")
        is training.OfficerEnrolled
    )
    assert contracts.message_class("naloxone.common.v1.EventEnvelope") is envelope_pb2.EventEnvelope
    assert not contracts.is_event_type("naloxone.common.v1.EventEnvelope")
    with pytest.raises(KeyError):
        contracts.message_class("naloxone.training.v1.NoSuchEvent")
    with pytest.raises(KeyError):
        contracts.domain_of("naloxone.common.v1.Date")


# --- round trip -------------------------------------------------------------------


def test_envelope_round_trip_with_any_payload() -> None:
    event = training.OfficerEnrolled(
        officer_id=str(uuid.uuid4()),
        force_id="leicestershire",
        staff_number="LP1234",
        role=training.OFFICER_ROLE_NEIGHBOURHOOD,
        enrolled_on=types_pb2.Date(year=2023, month=11, day=2),
        area_code="LOUGHBOROUGH",
    )
    envelope = envelope_pb2.EventEnvelope(
        event_id=str(uuid.uuid4()),
        event_type=event.DESCRIPTOR.full_name,
        aggregate_type="Officer",
        aggregate_id=event.officer_id,
        aggregate_version=1,
        force_id=event.force_id,
        correlation_id=str(uuid.uuid4()),
        actor="trainer-7",
    )
    envelope.occurred_at.FromJsonString("2023-11-02T09:00:00Z")
    envelope.recorded_at.FromJsonString("2023-11-02T09:00:01.250Z")
    envelope.payload.Pack(event)

    wire = envelope.SerializeToString(deterministic=True)
    parsed = envelope_pb2.EventEnvelope.FromString(wire)

    assert parsed == envelope
    assert parsed.payload.TypeName() == parsed.event_type == "naloxone.training.v1.OfficerEnrolled"
    assert parsed.payload.Is(training.OfficerEnrolled.DESCRIPTOR)
    cls = contracts.message_class(parsed.payload.type_url)
    unpacked = cls()
    assert parsed.payload.Unpack(unpacked)
    assert unpacked == event
    assert isinstance(parsed.payload, any_pb2.Any)
    # With the pool, text format expands the Any (what humans and tests read).
    text = text_format.MessageToString(parsed, descriptor_pool=descriptor_pool.Default())
    assert "[type.googleapis.com/naloxone.training.v1.OfficerEnrolled]" in text
    assert 'staff_number: "LP1234"' in text
