"""Hourly compaction of Firehose's small JSON objects into Parquet (Snappy), one folder per hour."""
