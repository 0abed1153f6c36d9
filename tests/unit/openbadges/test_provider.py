"""The openbadges provider against an in-memory store: one credential per badge whatever the
redelivery, stable status indexes, revocation in the signed list, errors without secrets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from faust_badges.core.config import BadgeConfig, OpenBadgesProvider, Template
from faust_badges.core.config_checks import InvalidConfig, parse_config
from faust_badges.core.issuing import IssuedBadge, IssueState, Recipient, Wanted
from faust_badges.openbadges.credential import issuer_document
from faust_badges.openbadges.keys import generate_pem, parse_signing_key
from faust_badges.openbadges.records import StatusList, StoredCredential
from faust_badges.openbadges.status_list import bit_is_set, decode_list
from faust_badges.openbadges.verify import Verdict, verify_credential
from faust_badges.providers.base import ProviderError
from faust_badges.providers.openbadges import OpenBadgesClient, issuer_of

PEM = generate_pem()
KEY_ENV = {"OB_KEY": PEM}
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def config_document(**openbadges: Any) -> dict[str, Any]:
    return {
        "templates": [
            {
                "id": "python",
                "name": "Python",
                "description": "Knows Python",
                "issuer": {"provider": "openbadges"},
                "requirements": [
                    {
                        "id": "py101",
                        "event_type": "org.openedx.learning.course.passing.status.updated.v1",
                        "description": "Pass Python 101",
                    }
                ],
            }
        ],
        "providers": {
            "openbadges": {
                "public_base_url": "https://badges.example.org/",
                "signing_key_env": "OB_KEY",
                "issuer": {"name": "Example University", "url": "https://example.org"},
                **openbadges,
            }
        },
    }


CONFIG: BadgeConfig = parse_config(config_document())
SETTINGS = CONFIG.providers.openbadges
assert SETTINGS is not None
TEMPLATE: Template = CONFIG.templates[0]


class MemoryStore:
    def __init__(self, partition: int = 2) -> None:
        self.credentials: dict[str, StoredCredential] = {}
        self.lists: dict[str, StatusList] = {}
        self.writes: list[str] = []
        self._partition = partition

    def partition(self) -> int:
        return self._partition

    def credential(self, badge_uuid: str) -> StoredCredential | None:
        return self.credentials.get(badge_uuid)

    def put_credential(self, stored: StoredCredential) -> None:
        self.writes.append(f"credential {stored.badge_uuid}")
        self.credentials[stored.badge_uuid] = stored

    def status_list(self, list_id: str) -> StatusList | None:
        return self.lists.get(list_id)

    def put_status_list(self, status_list: StatusList) -> None:
        self.writes.append(f"list {status_list.list_id}")
        self.lists[status_list.list_id] = status_list


def record(badge: str) -> IssuedBadge:
    recipient = Recipient("ada", 7, "ada@example.org", "Ada Lovelace", NOW)
    return IssuedBadge(badge, "python", "openbadges", recipient, Wanted.ISSUED, IssueState.QUEUED)


def documents(store: MemoryStore, settings: OpenBadgesProvider) -> Any:
    """The fetcher a verifier would use: the job's documents, as its views serve them."""
    key = parse_signing_key(PEM.encode())
    served = {issuer_of(settings).id: issuer_document(issuer_of(settings), key)}
    for status in store.lists.values():
        served[f"{settings.base_url}/ob/status/{status.list_id}"] = json.loads(status.credential)
    return served.__getitem__


def test_an_issue_signs_once_and_a_redelivery_returns_the_same_bytes() -> None:
    store = MemoryStore()
    client = OpenBadgesClient(store, KEY_ENV)
    first = client.issue(record("b-1"), TEMPLATE, SETTINGS, now=NOW)
    stored = store.credentials["b-1"]
    again = client.issue(record("b-1"), TEMPLATE, SETTINGS)
    assert first.external_id == again.external_id == "https://badges.example.org/ob/credentials/b-1"
    assert (first.already_existed, again.already_existed) == (False, True)
    assert store.credentials["b-1"] is stored  # not re-signed, not re-indexed
    assert store.writes == ["list 2-0", "credential b-1"]  # the counter before the credential
    credential = json.loads(stored.credential)
    assert credential["validFrom"] == "2026-05-01T09:00:00Z"
    assert credential["credentialSubject"]["achievement"]["criteria"] == {
        "narrative": "- Pass Python 101"
    }
    verdict = verify_credential(credential, documents(store, SETTINGS), now=NOW)
    assert verdict.verdict is Verdict.VALID


def test_indexes_are_handed_out_once_per_partition_and_lists_roll_over() -> None:
    store = MemoryStore(partition=5)
    client = OpenBadgesClient(store, KEY_ENV, list_size=2)
    for number in range(5):
        client.issue(record(f"b-{number}"), TEMPLATE, SETTINGS, now=NOW)
    placed = [(c.status_list, c.status_index) for c in store.credentials.values()]
    assert placed == [("5-0", 0), ("5-0", 1), ("5-1", 0), ("5-1", 1), ("5-2", 0)]
    # A client rebuilt over the same store (a restart) goes on where the counter is.
    OpenBadgesClient(store, KEY_ENV, list_size=2).issue(record("b-5"), TEMPLATE, SETTINGS)
    assert (store.credentials["b-5"].status_list, store.credentials["b-5"].status_index) == (
        "5-2",
        1,
    )


def test_a_revoke_sets_the_bit_in_a_newly_signed_list_once() -> None:
    store = MemoryStore()
    client = OpenBadgesClient(store, KEY_ENV)
    client.issue(record("keep"), TEMPLATE, SETTINGS, now=NOW)
    client.issue(record("drop"), TEMPLATE, SETTINGS, now=NOW)
    url = client.revoke(record("drop"), SETTINGS, now=NOW)
    assert url == "https://badges.example.org/ob/credentials/drop"
    listed = store.lists["2-0"]
    assert listed.revoked == (store.credentials["drop"].status_index,)
    bits = decode_list(json.loads(listed.credential)["credentialSubject"]["encodedList"])
    assert bit_is_set(bits, store.credentials["drop"].status_index)
    assert not bit_is_set(bits, store.credentials["keep"].status_index)
    assert store.credentials["drop"].revoked_at == NOW
    fetch = documents(store, SETTINGS)
    drop = json.loads(store.credentials["drop"].credential)
    keep = json.loads(store.credentials["keep"].credential)
    assert verify_credential(drop, fetch, now=NOW).verdict is Verdict.REVOKED
    assert verify_credential(keep, fetch, now=NOW).verdict is Verdict.VALID
    writes = len(store.writes)
    client.revoke(record("drop"), SETTINGS)  # a redelivered revoke: nothing re-signed
    assert len(store.writes) == writes and store.lists["2-0"] is listed


def test_a_revoke_of_a_badge_never_issued_does_nothing() -> None:
    store = MemoryStore()
    assert OpenBadgesClient(store, KEY_ENV).revoke(record("never"), SETTINGS) is None
    assert store.writes == []


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "the signing key variable OB_KEY is not set"),
        ({"OB_KEY": "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ1dC1icm9rZW4=\n"}, "holds no Ed25519"),
    ],
)
def test_a_missing_or_bad_key_is_a_permanent_error_that_shows_no_key(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ProviderError) as raised:
        OpenBadgesClient(MemoryStore(), environ).issue(record("b"), TEMPLATE, SETTINGS)
    assert raised.value.kind == "permanent" and message in str(raised.value)
    assert "c2VjcmV0" not in str(raised.value) and raised.value.__cause__ is None


def test_texts_that_cannot_be_signed_safely_are_a_permanent_error() -> None:
    template = TEMPLATE.model_copy(update={"name": "Python\x07"})
    with pytest.raises(ProviderError, match="control character") as raised:
        OpenBadgesClient(MemoryStore(), KEY_ENV).issue(record("b"), template, SETTINGS)
    assert raised.value.kind == "permanent"


def test_the_config_needs_providers_openbadges_and_one_key_source() -> None:
    document = config_document()
    del document["providers"]
    with pytest.raises(InvalidConfig, match=r"openbadges needs providers\.openbadges"):
        parse_config(document)
    with pytest.raises(InvalidConfig, match="one"):
        parse_config(config_document(signing_key_file="/run/secrets/ob.pem"))
    with pytest.raises(InvalidConfig, match="public_base_url"):
        parse_config(config_document(public_base_url="badges.example.org"))
    assert SETTINGS.issuer_id == "https://badges.example.org/ob/issuer"
    assert SETTINGS.base_url == "https://badges.example.org"
