"""The producer partitions keyed records exactly as Kafka's default partitioner does: table
partitions (and so where a learner's state lives) follow it."""

from __future__ import annotations

import random

from aiokafka.partitioner import DefaultPartitioner

from faust_badges.delivery.producer import key_hash


def test_the_partition_of_a_key_is_the_default_partitioners() -> None:
    rng = random.Random(7)
    keys = [rng.randbytes(rng.randrange(0, 40)) for _ in range(2_000)]
    keys += [f"learner_{n}".encode() for n in range(2_000)]
    for count in (1, 3, 4, 12):
        partitions = list(range(count))
        for key in keys:
            expected = DefaultPartitioner()(key, partitions, partitions)
            assert partitions[key_hash(key) % count] == expected
