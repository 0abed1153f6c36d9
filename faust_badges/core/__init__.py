"""The pure decision core: config models, rule evaluation, learner state and ``decide``.

Nothing in this package imports Faust, Kafka, HTTP clients or does I/O: it is plain Python that
unit and property tests drive directly, and the oracle the integration tests compare against.
"""
