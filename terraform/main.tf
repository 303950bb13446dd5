data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  tags = merge({ Project = "retail-streaming-pipeline", ManagedBy = "terraform" }, var.tags)

  region              = data.aws_region.current.name
  bucket_name         = coalesce(var.bucket_name, "${var.name_prefix}-${local.region}-${data.aws_caller_identity.current.account_id}")
  kinesis_stream_name = coalesce(var.kinesis_stream_name, "${var.name_prefix}-trans")
  firehose_name       = coalesce(var.firehose_name, "uk-online-${var.name_prefix}-trans")

  # Names shared by the analytics (Glue, Athena) and compute (Lambda, QuickSight) parts of the stack.
  glue_database_name    = var.glue_database_name
  json_table_name       = var.json_table_name
  parquet_table_name    = var.parquet_table_name
  athena_workgroup_name = "${var.name_prefix}-analytics"
  parquet_prefix        = "parquet-retail-trans/"

  # Folders of the lake: the fixed part of each Firehose prefix, up to its last slash.
  data_prefix           = replace(split("!{", var.firehose_prefix)[0], "/[^/]+$/", "")
  error_prefix          = replace(split("!{", var.firehose_error_prefix)[0], "/[^/]+$/", "")
  athena_results_prefix = "athena-results/"
  failed_batch_prefix   = "aws/lambda/" # where Lambda writes a Kinesis mapping's failed batches (not configurable)
  # The compaction's lock, manifests and staged files: outside every table's folder, so no query reads them.
  compaction_state_prefix = "compaction/"
}

module "data_lake" {
  source = "../modules/data_lake"

  bucket_name   = local.bucket_name
  force_destroy = var.bucket_force_destroy
  sse_algorithm = var.bucket_sse_algorithm

  enforce_upload_encryption = var.bucket_enforce_upload_encryption
  # Lambda writes the ingest mapping's failed batches without encryption headers: the bucket's default key covers them.
  upload_encryption_exempt_prefixes = local.create_ingest ? [local.failed_batch_prefix] : []
  access_log_bucket                 = var.bucket_access_log_bucket
  expiration_rules = [
    { id = "firehose-errors", prefix = local.error_prefix, days = var.error_retention_days },
    { id = "athena-results", prefix = local.athena_results_prefix, days = var.athena_results_retention_days },
    { id = "ingest-failed-batches", prefix = local.failed_batch_prefix, days = var.ingest_failure_retention_days },
    # A compaction deletes its staged file after the switch; one a crashed run left behind goes after a week.
    { id = "compaction-staging", prefix = "${local.compaction_state_prefix}staging/", days = 7 },
  ]
  tags = local.tags
}

module "kinesis_stream" {
  source = "../modules/kinesis_stream"

  name                   = local.kinesis_stream_name
  stream_mode            = var.kinesis_stream_mode
  shard_count            = var.kinesis_shard_count
  retention_period_hours = var.kinesis_retention_hours
  kms_key_id             = null # a customer managed key of its own (encryption.tf lists every key)
  tags                   = local.tags
}

module "firehose" {
  source = "../modules/firehose_s3"

  name               = local.firehose_name
  kinesis_stream_arn = var.firehose_source == "kinesis" ? module.kinesis_stream.stream_arn : null
  bucket_arn         = module.data_lake.bucket_arn
  bucket_kms_key_arn = module.data_lake.kms_key_arn
  log_kms_key_arn    = module.operations_key.arn
  # Firehose's role decrypts the stream through Kinesis; Direct PUT records wait in Firehose under the lake's key
  # (an AWS owned key when the lake uses AES256).
  kinesis_stream_kms_key_arn = var.firehose_source == "kinesis" ? module.kinesis_stream.kms_key_arn : null
  direct_put_kms_key_arn     = var.firehose_source == "direct_put" ? module.data_lake.kms_key_arn : null
  prefix                     = local.firehose_delivery_prefix # analytics.tf: follows the Parquet and event-time flags
  error_output_prefix        = var.firehose_error_prefix
  buffering_size             = local.firehose_buffering_size
  buffering_interval         = var.firehose_buffering_interval
  compression_format         = var.firehose_compression
  tags                       = local.tags

  parquet_conversion = local.is_parquet_delivery ? {
    database_name = module.glue_catalog.database_name
    table_name    = module.glue_catalog.parquet_table_name
  } : null
  event_time_partitioning = local.is_event_time ? { timestamp_field = local.record_contract.event_time_field } : null
  # record_validation.tf: only contract JSON is delivered under the prefix; anything else goes to the error prefix.
  record_processor_lambda_arn = local.record_validation_function_arn
}
