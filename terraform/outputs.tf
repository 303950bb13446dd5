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
