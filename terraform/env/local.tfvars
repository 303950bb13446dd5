# ENV=local and ENV=localstack: a throwaway stack on an emulator.
bucket_force_destroy           = true
athena_workgroup_force_destroy = true
tags = {
  Environment = "local"
}

# The OpenSearch domain costs 20+ minutes per create/destroy cycle (a fixed wait in the provider) and the
# emulator has no OpenSearch engine: local stacks run without it (the ingest Lambda is created only when
# ingest_opensearch_endpoint points somewhere, e.g. a test double).
enable_opensearch = false

# MiniStack 1.5.33 answers the provider's DescribeAlarms (query protocol) without statistic, period,
# dimensions and actions: every alarm would show as a change on each plan. The alarms module is applied
# and checked on the emulator by its own test (tests/integration/test_alarms_module.py) instead.
enable_alarms = false

# MiniStack 1.5.33 has no S3 metrics configurations: it takes GET ?metrics for ListObjects and DELETE ?metrics for
# DeleteBucket (destroy then fails with BucketNotEmpty, or deletes an empty bucket). The request-metrics filter,
# and with it the error-prefix alarm and graph, are planned and checked in the plan tests instead.
enable_error_prefix_metrics = false

# MiniStack's Athena has no CTAS: the local stack's compaction function converts with DuckDB, which the emulator's
# Python provides (the function's zip does not); the hourly schedule and its late-data window then run for real.
compaction_engine = "duckdb"
