"""Wire compatibility with the Open edX event bus (SPEC §2, §5): events built and serialized by
the real ``openedx-events`` library, framed and registered as ``edx-event-bus-kafka`` does, reach
a worker that writes its badge events the same way, and the library reads them back."""

from __future__ import annotations

import copy
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import fastavro
import pytest

from faust_badges.core.badges import badge_uuid, template_uuid
from faust_badges.core.event_types import BADGE_AWARDED, COURSE_PASSING_STATUS
from faust_badges.events.avro_format import bundled_schema, frame, record_full_name, unframe
from faust_badges.kafka_io import Record
from faust_badges.samples import KafkaMessage, passing_event
from tests.integration.harness import (
    Deployment,
    WorkerProcess,
    running_worker,
    wait_for_inputs_handled,
)
from tests.openedx_interop import (
    bus_value,
    deserialize,
    openedx_signals,
    passing_status_event_data,
    signal_schema,
)
from tests.servers.schema_registry import LocalSchemaRegistry

pytestmark = pytest.mark.integration

COURSE = "course-v1:edX+Avro101+2026"
TEMPLATE = {
    "id": "avro-badge",
    "name": "Avro Badge",
    "description": "Passed Avro 101",
    "image_url": "https://example.org/avro.png",
    "requirements": [
        {
            "id": "pass",
            "event_type": COURSE_PASSING_STATUS,
            "rules": [
                {"path": "course.course_key", "op": "eq", "value": COURSE},
                {"path": "is_passing", "op": "eq", "value": True},
            ],
        }
    ],
}


@pytest.fixture(scope="module")
def registry() -> Iterator[LocalSchemaRegistry]:
    with LocalSchemaRegistry() as server:
        yield server


@pytest.fixture(scope="module")
def deployment(
    kafka: str, registry: LocalSchemaRegistry, tmp_path_factory: pytest.TempPathFactory
) -> Deployment:
    deployment = Deployment(
        kafka,
        f"avro-{uuid.uuid4().hex[:6]}",
        tmp_path_factory.mktemp("avro"),
        extra_env={"SCHEMA_REGISTRY_URL": registry.url, "BADGES_WIRE_FORMAT": "avro"},
    )
    deployment.create_topics()
    deployment.apply_config({"templates": [TEMPLATE]})
    return deployment


@pytest.fixture(scope="module")
def worker(deployment: Deployment) -> Iterator[WorkerProcess]:
    with running_worker(deployment) as worker:
        yield worker


class EventBus:
    """Produces like the LMS's Kafka event bus: topic-record subjects, framed key and value."""

    def __init__(self, deployment: Deployment, registry: LocalSchemaRegistry) -> None:
        self.signal = openedx_signals().COURSE_PASSING_STATUS_UPDATED
        self.deployment = deployment
        self.registry = registry
        schema = signal_schema(self.signal)
        topic = deployment.input_topic
        self.value_id = registry.register(f"{topic}-{record_full_name(schema)}", schema)
        self.key_id = registry.register(
            f"{topic}-course_key", {"name": "course_key", "type": "string"}
        )

    def message(
        self, username: str, passing: bool = True, *, schema_id: int | None = None
    ) -> KafkaMessage:
        data = passing_status_event_data(abs(hash(username)) % 10**6, username, COURSE, passing)
        value = bus_value(self.signal, {"course_passing_status": data}, schema_id or self.value_id)
        headers = {
            "ce_type": self.signal.event_type,
            "ce_id": str(uuid.uuid4()),
            "ce_source": "openedx/lms/web",
            "ce_specversion": "1.0",
            "ce_time": datetime.now(UTC).isoformat(),
            "ce_minorversion": "0",
            "sourcehost": "lms.example.org",
            "sourcelib": "10.5.0",
            "content-type": "application/avro",
            "ce_datacontenttype": "application/avro",
        }
        key = frame(self.key_id, _avro_string(COURSE))
        return key, value, [(name, text.encode()) for name, text in headers.items()]


def _avro_string(text: str) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema("string"), text)
    return out.getvalue()


def _read_avro_string(payload: bytes) -> str:
    return str(fastavro.schemaless_reader(io.BytesIO(payload), fastavro.parse_schema("string")))


def badge_records(deployment: Deployment, username: str) -> list[Record]:
    records = [r for r in deployment.read(deployment.output_topic) if r.header("ce_type")]
    return [r for r in records if username.encode() in (r.value or b"")]


def settle(deployment: Deployment, worker: WorkerProcess) -> None:
    wait_for_inputs_handled([worker], len(deployment.produced))


def test_an_lms_avro_event_earns_a_badge_that_openedx_events_reads_back(
    deployment: Deployment, registry: LocalSchemaRegistry, worker: WorkerProcess
) -> None:
    bus = EventBus(deployment, registry)
    deployment.send([bus.message("avro-learner")])
    settle(deployment, worker)

    [record] = badge_records(deployment, "avro-learner")
    assert record.header("ce_type") == BADGE_AWARDED
    assert record.header("content-type") == "application/avro"
    assert record.header("ce_datacontenttype") == "application/avro"
    assert tuple(int(part) for part in (record.header("sourcelib") or "").split("."))
    # The value schema is the library's, registered under the topic-record subject.
    value_id, payload = unframe(record.value or b"")
    subject = f"{deployment.output_topic}-org.openedx.learning.badge.awarded.v1.CloudEvent"
    assert value_id in registry.subjects()[subject]
    assert registry.schema(value_id) == bundled_schema(BADGE_AWARDED)
    # The key is the Avro string of the badge uuid.
    key_id, key_payload = unframe(record.key or b"")
    expected_uuid = badge_uuid(deployment.namespace, "avro-learner", "avro-badge")
    assert _read_avro_string(key_payload) == expected_uuid
    # edx-event-bus-kafka registers the string key under `<topic>-string` (not the field name).
    assert key_id in registry.subjects()[f"{deployment.output_topic}-string"]

    # openedx-events' own deserializer gives the BadgeData we meant.
    from openedx_events.learning.data import BadgeData, BadgeTemplateData

    badge = deserialize(openedx_signals().BADGE_AWARDED, payload)["badge"]
    learner = passing_status_event_data(
        abs(hash("avro-learner")) % 10**6, "avro-learner", COURSE, True
    )
    assert badge == BadgeData(
        uuid=expected_uuid,
        user=learner.user,
        template=BadgeTemplateData(
            uuid=template_uuid(deployment.namespace, "avro-badge"),
            origin="openedx",
            name="Avro Badge",
            description="Passed Avro 101",
            image_url="https://example.org/avro.png",
        ),
    )


def test_json_and_avro_events_share_the_topic(
    deployment: Deployment, registry: LocalSchemaRegistry, worker: WorkerProcess
) -> None:
    bus = EventBus(deployment, registry)
    deployment.send([passing_event(77, "json-learner", COURSE), bus.message("avro-learner-2")])
    settle(deployment, worker)
    assert len(badge_records(deployment, "json-learner")) == 1
    assert len(badge_records(deployment, "avro-learner-2")) == 1


def test_bad_avro_input_is_dead_lettered_and_the_registry_coming_back_needs_no_restart(
    deployment: Deployment, registry: LocalSchemaRegistry, worker: WorkerProcess, tmp_path: Path
) -> None:
    bus = EventBus(deployment, registry)
    key, good, headers = bus.message("bad-avro")
    # A schema the worker has not fetched yet: a registered variant of the library's schema.
    variant = copy.deepcopy(signal_schema(bus.signal))
    variant["doc"] = "a registered variant"
    variant_id = registry.register(f"{deployment.input_topic}-variant", variant)
    dead_before = len(deployment.dead_letters())

    deployment.send(
        [
            (key, b"\x01" + good[1:], headers),  # wrong magic byte
            (key, good[:12], headers),  # truncated Avro
            (key, frame(9999, good[5:]), headers),  # unknown schema id
        ]
    )
    settle(deployment, worker)
    registry.go_down()
    try:
        deployment.send([(key, frame(variant_id, good[5:]), headers)])
        settle(deployment, worker)
    finally:
        registry.come_back()
    deployment.send([bus.message("back-again", schema_id=variant_id)])
    settle(deployment, worker)

    reasons = [
        (d.header("dead_letter_reason") or "").split(":")[0]
        for d in deployment.dead_letters()[dead_before:]
    ]
    assert reasons == ["bad_framing", "undecodable", "unknown_schema_id", "registry_unavailable"]
    assert len(badge_records(deployment, "back-again")) == 1
    assert worker.status("/health", token=None) == 200
