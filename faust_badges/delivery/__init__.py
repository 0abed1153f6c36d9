"""Delivery guarantees on top of Faust: nothing committed before Kafka has every record it
caused, and no local state trusted that may be ahead of its changelog."""
