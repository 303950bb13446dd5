# Capacity guide, 1k records/s (~0.2 MB/s): add to env/aws.tfvars, e.g.
#   TF_VAR_FILE=terraform/env/capacity/1k.tfvars ENV=aws make plan
# Starting points to validate with a load test; the reasoning and the AWS limits are in the README.
kinesis_stream_mode                   = "ON_DEMAND" # a new on-demand stream takes 4 MB/s and 4,000 records/s
firehose_buffering_size               = 64          # MiB: ~60 MB objects every 5 minutes instead of 1 MB every 5 s
firehose_buffering_interval           = 300
ingest_batch_size                     = 1000
ingest_batching_window_seconds        = 5
ingest_parallelization_factor         = 1
opensearch_instance_type              = "r6g.large.search"
opensearch_instance_count             = 3
opensearch_zone_awareness_az_count    = 3
opensearch_volume_size                = 350 # GiB per node: 14 days x ~26 GB/day primary, one replica, 25% free
opensearch_retention_days             = 14
athena_bytes_scanned_cutoff_per_query = 10737418240 # 10 GiB
