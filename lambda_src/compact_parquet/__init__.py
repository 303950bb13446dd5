"""Hourly compaction of Firehose's small JSON files into Parquet."""
