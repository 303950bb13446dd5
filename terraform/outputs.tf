output "region" {
  description = "Region the stack is deployed in."
  value       = local.region
}

output "bucket_name" {
  description = "Name of the data-lake bucket."
  value       = module.data_lake.bucket_id
}

output "bucket_arn" {
  description = "ARN of the data-lake bucket."
  value       = module.data_lake.bucket_arn
}

output "bucket_kms_key_arn" {
  description = "KMS key encrypting the data lake; null with AES256."
  value       = module.data_lake.kms_key_arn
}

output "kinesis_stream_name" {
  description = "Name of the Kinesis data stream producers write to (with firehose_source = kinesis)."
  value       = module.kinesis_stream.stream_name
}

output "kinesis_stream_arn" {
  description = "ARN of the Kinesis data stream."
  value       = module.kinesis_stream.stream_arn
}

output "firehose_name" {
  description = "Name of the Firehose delivery stream."
  value       = module.firehose.delivery_stream_name
}

output "firehose_arn" {
  description = "ARN of the Firehose delivery stream."
  value       = module.firehose.delivery_stream_arn
}

output "firehose_source" {
  description = "Firehose's source: kinesis or direct_put. Producers send to the stream for kinesis, to Firehose for direct_put."
  value       = module.firehose.source
}

output "firehose_log_group" {
  description = "Log group with Firehose delivery errors."
  value       = module.firehose.log_group_name
}

output "data_prefix" {
  description = "S3 folder of delivered records; the hour partitions are below it."
  value       = local.data_prefix
}

output "error_prefix" {
  description = "S3 folder of Firehose's error output."
  value       = local.error_prefix
}

output "delivery_prefix" {
  description = "S3 folder Firehose writes to: data_prefix (JSON), or parquet_prefix with enable_parquet_conversion."
  value       = local.delivery_folder
}

output "parquet_prefix" {
  description = "S3 folder of the Parquet table (compacted files, or Firehose's Parquet output)."
  value       = local.parquet_prefix
}

output "glue_database_name" {
  description = "Glue database holding the tables."
  value       = module.glue_catalog.database_name
}

output "json_table_name" {
  description = "Glue table over the JSON records under data_prefix."
  value       = module.glue_catalog.json_table_name
}

output "parquet_table_name" {
  description = "Glue table over the Parquet files under parquet_prefix."
  value       = module.glue_catalog.parquet_table_name
}

output "query_table_name" {
  description = "Table the named queries read: parquet_table_name with enable_parquet_conversion, else json_table_name."
  value       = local.is_parquet_delivery ? module.glue_catalog.parquet_table_name : module.glue_catalog.json_table_name
}

output "athena_workgroup_name" {
  description = "Athena workgroup to run queries in (its settings are enforced)."
  value       = module.athena.workgroup_name
}

output "athena_results_location" {
  description = "S3 location of Athena query results."
  value       = module.athena.results_location
}

output "athena_named_query_ids" {
  description = "IDs of the saved Athena queries, by name."
  value       = module.athena.named_query_ids
}

output "athena_named_query_names" {
  description = "Names of the saved Athena queries."
  value       = module.athena.named_query_names
}
