"""Table declarations and their value codecs: learners, progress (RocksDB), config (global)."""
