"""The group's committed offsets, asked of the broker (where a partition resumes)."""

from __future__ import annotations

import asyncio

import faust
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faust.types import TP


class CommittedOffsets:
    """Where Faust resumes a partition: the group's committed offset, else the earliest.

    Asked of the broker: Faust's own record of it is filled in concurrently with the first
    messages of a generation, so it can still be empty when they arrive. One per app, shared by
    every agent's guard (one admin connection), closed when the app stops.
    """

    def __init__(self, app: faust.App, bootstrap: str) -> None:
        self._app = app
        self.bootstrap = bootstrap
        self._admin: AIOKafkaAdminClient | None = None
        # One lookup at a time: guards ask concurrently (two agents on one topic at a
        # rebalance), and the client is created, started and replaced by whoever asks.
        self._lock = asyncio.Lock()

    async def close(self) -> None:
        async with self._lock:
            admin, self._admin = self._admin, None
            if admin is not None:
                await admin.close()

    async def get(self, tp: TP) -> int:
        async with self._lock:
            return await self._get(tp)

    async def _get(self, tp: TP) -> int:
        if self._admin is None:
            self._admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
            await self._admin.start()
        kafka_tp = TopicPartition(tp.topic, tp.partition)
        try:
            committed = await self._admin.list_consumer_group_offsets(
                self._app.conf.id, partitions=[kafka_tp]
            )
        except Exception:
            # A fresh client next time: this one's connection may be the one that broke.
            admin, self._admin = self._admin, None
            await admin.close()
            raise
        offset = committed.get(kafka_tp)
        if offset is not None and offset.offset >= 0:
            return int(offset.offset)
        earliest = await self._app.consumer.earliest_offsets(tp)
        return int(earliest.get(tp) or 0)
