"""The ``ob_credentials`` table: each Open Badges credential by badge uuid, and each status list
by ``status/<list id>``, in one table so that a partition's counter and credentials share one
changelog partition (restored in the order they were written)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import faust
from faust.streams import current_event

from faust_badges.events.state_codecs import CREDENTIAL_CODEC, STATUS_LIST_CODEC
from faust_badges.openbadges.records import StatusList, StoredCredential
from faust_badges.settings import OB_TABLE
from faust_badges.tables.keyed import JsonTable, declare_json_table

STATUS_PREFIX = "status/"


class OpenBadgesTable:
    """Typed access to the table; also the provider's ``CredentialStore`` in the issuer agent,
    where Faust's current event (an issuer command, keyed by badge uuid) names the partition."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.credentials = JsonTable(table, CREDENTIAL_CODEC)
        self.status_lists = JsonTable(table, STATUS_LIST_CODEC)

    def partition(self) -> int:
        event = current_event()
        if event is None:
            raise RuntimeError("status indexes are handed out only while handling a command")
        return int(event.message.partition)

    def credential(self, badge_uuid: str) -> StoredCredential | None:
        return self.credentials.get(badge_uuid)

    def put_credential(self, stored: StoredCredential) -> None:
        self.credentials.put(stored.badge_uuid, stored)

    def status_list(self, list_id: str) -> StatusList | None:
        return self.status_lists.get(STATUS_PREFIX + list_id)

    def put_status_list(self, status_list: StatusList) -> None:
        self.status_lists.put(STATUS_PREFIX + status_list.list_id, status_list)


def declare_openbadges_table(
    app: faust.App, partitions: int, store_options: Mapping[str, Any]
) -> OpenBadgesTable:
    table = declare_json_table(
        app,
        OB_TABLE,
        partitions,
        store_options,
        "Open Badges credentials by badge uuid, and status lists by status/<list>",
    )
    return OpenBadgesTable(table)
