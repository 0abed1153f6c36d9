"""The issuer's internal topics: commands (issue, revoke, retry) and scheduled retries, as JSON."""

from __future__ import annotations

from pydantic import TypeAdapter

from faust_badges.core.issuing import Command, ScheduledRetry

_COMMAND = TypeAdapter(Command)
_RETRY = TypeAdapter(ScheduledRetry)


def encode_command(command: Command) -> bytes:
    return _COMMAND.dump_json(command)


def command_record(command: Command) -> tuple[bytes, bytes]:
    """The key and value of a command on an issuer topic: keyed by badge uuid, so that every
    command of a badge lands in one partition, in order."""
    return command.badge_uuid.encode(), encode_command(command)


def decode_command(value: bytes) -> Command:
    return _COMMAND.validate_json(value)


def encode_retry(retry: ScheduledRetry) -> bytes:
    return _RETRY.dump_json(retry)


def decode_retry(value: bytes) -> ScheduledRetry:
    return _RETRY.validate_json(value)
