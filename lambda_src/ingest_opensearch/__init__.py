"""Kinesis -> OpenSearch ingest Lambda."""
