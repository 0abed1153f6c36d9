"""The app as built from settings: what reaches Faust."""

from __future__ import annotations

from pathlib import Path

from faust_badges.settings import Settings
from faust_badges.topology import build_app

MIB = 1024 * 1024


def test_table_stores_get_the_rocksdb_sizes_of_the_settings(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "APP_DATADIR": str(tmp_path),
            "ROCKSDB_BLOCK_CACHE_MIB": "24",
            "ROCKSDB_WRITE_BUFFER_MIB": "4",
        }
    )
    app = build_app(settings)
    for name in ("learners", "progress", "issued"):
        options = app.tables[name].data.rocksdb_options
        assert (options.block_cache_size, options.write_buffer_size) == (24 * MIB, 4 * MIB), name
        assert options.max_write_buffer_number == 2
