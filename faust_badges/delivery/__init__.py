"""The delivery guarantee, in one place: every input message is handled in offset order and
committed only once handled; nothing is committed before Kafka has every record it caused; no
local state is trusted that may be ahead of its changelog.

- ``ledger``: the next offset to handle, per agent and partition (what the consumer commits);
- ``guard``: admits each partition's messages in order, seeks back over holes;
- ``committed``: the group's committed offsets (where a partition resumes), one reader per app;
- ``batches``: the loop an agent runs (admitted, gated, marked handled after its body);
- ``gate``: in-flight events a stop or a rebalance waits for;
- ``inbox``: fetched messages waiting for their agent, in batches;
- ``producer``: a flush that waits for every record, and whole record batches;
- ``local_state``: local stores trusted only after a clean stop;
- ``faust_corrections``: where Faust 0.15.3 is corrected (commits, flow control, fetch).

Agents import from here; nothing here imports an agent (``tests/unit/test_layers.py``).
"""
