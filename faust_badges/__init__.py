"""faust-badges: Open edX badge processing as a partitioned Faust stream processor."""

__version__ = "0.1.0"
