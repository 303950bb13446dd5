# Capacity guide, 10k records/s (~2 MB/s): add to env/aws.tfvars, e.g.
#   TF_VAR_FILE=terraform/env/capacity/10k.tfvars ENV=aws make plan
# Starting points to validate with a load test; the reasoning and the AWS limits are in the README.
kinesis_stream_mode                   = "PROVISIONED"
kinesis_shard_count                   = 12 # 10 by the 1,000 records/s/shard write limit, +20%
firehose_buffering_size               = 128
firehose_buffering_interval           = 300
ingest_batch_size                     = 1000
ingest_batching_window_seconds        = 1
ingest_parallelization_factor         = 1 # 12 concurrent invocations, one per shard
ingest_reserved_concurrency           = 24
ingest_memory_size                    = 1024
opensearch_instance_type              = "r6g.xlarge.search"
opensearch_instance_count             = 6
opensearch_zone_awareness_az_count    = 3
opensearch_dedicated_master           = { instance_type = "m6g.large.search", count = 3 }
opensearch_volume_size                = 850 # GiB per node: 7 days x ~260 GB/day primary, one replica, 25% free
opensearch_retention_days             = 7
athena_bytes_scanned_cutoff_per_query = 107374182400 # 100 GiB
