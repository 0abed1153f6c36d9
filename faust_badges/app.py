"""The Faust app of a worker: ``faust -A faust_badges.app worker``."""

from faust_badges.settings import Settings
from faust_badges.topology import build_app

app = build_app(Settings.from_env())
