"""The sample events look like what the Open edX event bus writes."""

from __future__ import annotations

from faust_badges.samples import demo_events


def test_sourcelib_is_a_dotted_version_the_open_edx_consumer_can_parse() -> None:
    # openedx-events reads the header back as a tuple of integers.
    for _key, _value, headers in demo_events(learners=2):
        sourcelib = dict(headers)["sourcelib"].decode()
        assert tuple(int(part) for part in sourcelib.split(".")), sourcelib
