# Capacity guide, 100k records/s (~20 MB/s): add to env/aws.tfvars, e.g.
#   TF_VAR_FILE=terraform/env/capacity/100k.tfvars ENV=aws make plan
# Starting points to validate with a load test; the reasoning and the AWS limits are in the README.
kinesis_stream_mode                   = "PROVISIONED"
kinesis_shard_count                   = 120  # records bind before bytes: 100 by records/s, 20 by MB/s; +20%
enable_parquet_conversion             = true # Parquet straight from Firehose: no JSON to scan, no compaction run
firehose_buffering_size               = 128
firehose_buffering_interval           = 60
ingest_batch_size                     = 5000 # ~1 MB of records per invocation, ~1 MB bulk requests
ingest_batching_window_seconds        = 1
ingest_parallelization_factor         = 1 # 120 concurrent invocations
ingest_reserved_concurrency           = 150
ingest_memory_size                    = 1769 # one full vCPU
opensearch_instance_type              = "r6g.2xlarge.search"
opensearch_instance_count             = 15
opensearch_zone_awareness_az_count    = 3
opensearch_dedicated_master           = { instance_type = "m6g.xlarge.search", count = 3 }
opensearch_volume_size                = 1400 # GiB per node: 3 days x ~2.6 TB/day primary, one replica, 25% free
opensearch_retention_days             = 3
athena_bytes_scanned_cutoff_per_query = 1099511627776 # 1 TiB
