# Analytics: the Glue tables over the lake and the Athena workgroup with the lab's queries, and the two
# opt-in Firehose features they follow.
#
# How the prefixes and tables follow the flags (the tables' projection template always matches what
# Firehose writes, because both are built from the same folder and the same year=/month=/day=/hour= layout):
#
# | enable_parquet_conversion | enable_event_time_partitioning | Firehose writes                                  | queries read  |
# |---------------------------|--------------------------------|--------------------------------------------------|---------------|
# | false (default)           | false (default)                | JSON under data_prefix, arrival hour (UTC)       | JSON table    |
# | false                     | true                           | JSON under data_prefix, InvoiceDate's hour       | JSON table    |
# | true                      | false                          | Parquet under parquet_prefix, arrival hour       | Parquet table |
# | true                      | true                           | Parquet under parquet_prefix, InvoiceDate's hour | Parquet table |
#
# With Parquet conversion, Firehose takes its schema from the Parquet table, and the JSON table stays
# (empty) for tools that expect it. Hourly compaction into the Parquet folder is then unnecessary.

locals {
  is_parquet_delivery = var.enable_parquet_conversion
  is_event_time       = var.enable_event_time_partitioning
  is_dynamic_delivery = local.is_parquet_delivery || local.is_event_time
  delivery_folder     = local.is_parquet_delivery ? local.parquet_prefix : local.data_prefix

  # Firehose's partition expressions: the arrival time (UTC) or the record's own InvoiceDate.
  partition_values = local.is_event_time ? {
    year = "!{partitionKeyFromQuery:year}", month = "!{partitionKeyFromQuery:month}"
    day  = "!{partitionKeyFromQuery:day}", hour = "!{partitionKeyFromQuery:hour}"
    } : {
    year = "!{timestamp:yyyy}", month = "!{timestamp:MM}", day = "!{timestamp:dd}", hour = "!{timestamp:HH}"
  }
  firehose_delivery_prefix = local.is_dynamic_delivery ? join("", [
    local.delivery_folder,
    "year=${local.partition_values.year}/month=${local.partition_values.month}/",
    "day=${local.partition_values.day}/hour=${local.partition_values.hour}/",
  ]) : var.firehose_prefix

  # AWS requires at least 64 MiB of buffering with format conversion or dynamic partitioning.
  firehose_buffering_size = local.is_dynamic_delivery ? max(64, var.firehose_buffering_size) : var.firehose_buffering_size
}

module "glue_catalog" {
  source = "../modules/glue_catalog"

  database_name      = local.glue_database_name
  bucket_name        = local.bucket_name # known at plan time, so the plan shows the tables' locations
  json_table_name    = local.json_table_name
  json_prefix        = local.data_prefix
  parquet_table_name = local.parquet_table_name
  parquet_prefix     = local.parquet_prefix
  columns            = local.record_contract.columns # contract.tf.json, generated from contract/record.schema.json
  projection_years   = var.glue_projection_years
  tags               = local.tags
}

module "athena" {
  source = "../modules/athena"

  workgroup_name                  = local.athena_workgroup_name
  results_bucket_name             = local.bucket_name
  results_prefix                  = local.athena_results_prefix
  results_kms_key_arn             = module.data_lake.kms_key_arn # null with AES256: results use SSE_S3
  expected_bucket_owner           = data.aws_caller_identity.current.account_id
  enforce_workgroup_configuration = var.athena_enforce_workgroup_configuration
  publish_cloudwatch_metrics      = var.athena_publish_cloudwatch_metrics
  bytes_scanned_cutoff_per_query  = var.athena_bytes_scanned_cutoff_per_query
  force_destroy                   = var.athena_workgroup_force_destroy
  database_name                   = module.glue_catalog.database_name
  table_name                      = local.is_parquet_delivery ? module.glue_catalog.parquet_table_name : module.glue_catalog.json_table_name
  tags                            = local.tags
}
