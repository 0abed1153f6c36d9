"""Thin Faust agents around the pure core: ingest (decode, dead-letter, repartition by learner)
and progress (decide, keep state, emit badge events)."""
