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

output "kinesis_stream_kms_key_arn" {
  description = "Customer managed KMS key of the stream: producers need kms:GenerateDataKey on it, consumers kms:Decrypt."
  value       = module.kinesis_stream.kms_key_arn
}

output "operations_kms_key_arn" {
  description = "Customer managed KMS key of the stack's log groups and dead-letter queues: readers of the dead letters need kms:Decrypt on it."
  value       = module.operations_key.arn
}

output "firehose_name" {
  description = "Name of the Firehose delivery stream."
  value       = module.firehose.delivery_stream_name
}

output "firehose_arn" {
  description = "ARN of the Firehose delivery stream."
  value       = module.firehose.delivery_stream_arn
}

output "firehose_role_arn" {
  description = "IAM role Firehose assumes (its inline policy \"delivery\" lists what it may read, write and decrypt)."
  value       = module.firehose.role_arn
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

# --- Lambda functions ----------------------------------------------------------------------------

output "ingest_function_name" {
  description = "Name of the ingest Lambda (Kinesis -> OpenSearch); null when it is not created (enable_opensearch = false and no ingest_opensearch_endpoint)."
  value       = try(module.ingest_lambda[0].function_name, null)
}

output "ingest_function_arn" {
  description = "ARN of the ingest Lambda; null when it is not created."
  value       = try(module.ingest_lambda[0].function_arn, null)
}

output "ingest_role_arn" {
  description = "Execution role of the ingest Lambda: the backend role to map to an OpenSearch role (fine-grained access control); null when it is not created."
  value       = try(module.ingest_lambda[0].role_arn, null)
}

output "ingest_log_group" {
  description = "Log group of the ingest Lambda; null when it is not created."
  value       = try(module.ingest_lambda[0].log_group_name, null)
}

output "ingest_dead_letter_queue_url" {
  description = "SQS dead-letter queue of the ingest Lambda: the records it can never index (poison records, documents OpenSearch rejects), with the reason; null when it is not created."
  value       = try(module.ingest_lambda[0].dead_letter_queue_url, null)
}

output "ingest_dead_letter_queue_arn" {
  description = "ARN of the ingest Lambda's dead-letter queue; null when it is not created."
  value       = try(module.ingest_lambda[0].dead_letter_queue_arn, null)
}

output "ingest_event_source_mapping_uuid" {
  description = "UUID of the Kinesis event source mapping that triggers the ingest Lambda; null when it is not created."
  value       = try(module.ingest_lambda[0].event_source_mapping_uuid, null)
}

output "ingest_failure_bucket" {
  description = "Bucket of the ingest failure store (the lake bucket): the batches the event source mapping gave up on, kept whole under ingest_failure_prefix; null when there is no ingest function."
  value       = local.create_ingest ? local.bucket_name : null
}

output "ingest_failure_prefix" {
  description = "Where in ingest_failure_bucket the event source mapping writes the batches it gives up on: aws/lambda/<mapping UUID>/ (`make replay` re-drives them); null when there is no ingest function."
  value       = try(module.ingest_lambda[0].kinesis_failure_prefix, null)
}

output "ingest_opensearch_endpoint" {
  description = "OpenSearch endpoint URL the ingest Lambda writes to (OPENSEARCH_ENDPOINT); null when there is none."
  value       = local.create_ingest ? local.ingest_endpoint : null
}

output "opensearch_index" {
  description = "OpenSearch index the ingest Lambda writes to."
  value       = var.opensearch_index
}

output "compaction_function_name" {
  description = "Name of the compaction Lambda (hourly CTAS of the JSON table into Parquet)."
  value       = try(module.compaction_lambda[0].function_name, null)
}

output "compaction_function_arn" {
  description = "ARN of the compaction Lambda."
  value       = try(module.compaction_lambda[0].function_arn, null)
}

output "compaction_log_group" {
  description = "Log group of the compaction Lambda."
  value       = try(module.compaction_lambda[0].log_group_name, null)
}

output "compaction_dead_letter_queue_url" {
  description = "SQS queue receiving scheduled compaction runs that failed after their retries."
  value       = try(module.compaction_lambda[0].dead_letter_queue_url, null)
}

output "compaction_schedule_rule" {
  description = "EventBridge rule that invokes the compaction Lambda."
  value       = try(module.compaction_lambda[0].schedule_rule_name, null)
}

output "parquet_location" {
  description = "S3 location of the compacted Parquet files."
  value       = "s3://${local.bucket_name}/${local.parquet_prefix}"
}

output "compaction_state_location" {
  description = "Folder of the compaction's lock, per-hour manifests and staged files (outside every table's location). Null with enable_parquet_conversion (no compaction)."
  value       = var.enable_parquet_conversion ? null : "s3://${local.bucket_name}/${local.compaction_state_prefix}"
}

output "record_validation_function_name" {
  description = "Name of Firehose's processing Lambda: records that are not contract JSON go to the error prefix (processing-failed) instead of the JSON table's folders."
  value       = module.record_validation_lambda.function_name
}

output "record_validation_log_group" {
  description = "Log group of the processing Lambda: its RecordsQuarantined metric and one warning per quarantined record (with the reason)."
  value       = module.record_validation_lambda.log_group_name
}

# --- OpenSearch ----------------------------------------------------------------------------------

output "opensearch_domain_name" {
  description = "Name of the OpenSearch domain; null with enable_opensearch = false."
  value       = try(module.opensearch[0].domain_name, null)
}

output "opensearch_domain_arn" {
  description = "ARN of the OpenSearch domain; null with enable_opensearch = false."
  value       = try(module.opensearch[0].domain_arn, null)
}

output "opensearch_endpoint" {
  description = "URL of the OpenSearch domain (https://...); null with enable_opensearch = false."
  value       = try(module.opensearch[0].endpoint_url, null)
}

output "opensearch_dashboard_endpoint" {
  description = "OpenSearch Dashboards host and path; null with enable_opensearch = false."
  value       = try(module.opensearch[0].dashboard_endpoint, null)
}

output "opensearch_master_user_arn" {
  description = "IAM role or user that administers the domain's security (fine-grained access control); null with an internal master user or enable_opensearch = false."
  value       = try(module.opensearch[0].master_user_arn, null)
}

output "opensearch_master_user_secret_arn" {
  description = "Secrets Manager secret of the internal master user; null with an IAM master or enable_opensearch = false."
  value       = try(module.opensearch[0].master_user_secret_arn, null)
}

# --- Alarms and QuickSight -----------------------------------------------------------------------

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify; null with enable_alarms = false."
  value       = try(module.alarms[0].topic_arn, null)
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms, by what they watch; empty with enable_alarms = false."
  value       = try(module.alarms[0].alarm_names, {})
}

output "operations_dashboard_name" {
  description = "CloudWatch dashboard of the pipeline's operations; null with enable_operations_dashboard = false."
  value       = try(module.operations_dashboard[0].dashboard_name, null)
}

output "operations_dashboard_url" {
  description = "Link to the operations dashboard in the CloudWatch console; null with enable_operations_dashboard = false."
  value       = try(module.operations_dashboard[0].dashboard_url, null)
}

output "quicksight_data_source_arn" {
  description = "ARN of the QuickSight Athena data source; null with enable_quicksight = false."
  value       = try(module.quicksight[0].data_source_arn, null)
}

output "quicksight_data_set_arn" {
  description = "ARN of the QuickSight dataset over the JSON table; null with enable_quicksight = false."
  value       = try(module.quicksight[0].data_set_arn, null)
}

output "quicksight_data_source_role_arn" {
  description = "IAM role the QuickSight data source runs its Athena queries as; null with enable_quicksight = false."
  value       = try(module.quicksight[0].data_source_role_arn, null)
}

output "quicksight_dashboard_id" {
  description = "ID of the QuickSight dashboard with the lab's visuals (open it from QuickSight's Dashboards page); null with enable_quicksight = false."
  value       = try(module.quicksight[0].dashboard_id, null)
}

output "quicksight_analysis_id" {
  description = "ID of the QuickSight analysis the owners edit; null with enable_quicksight = false."
  value       = try(module.quicksight[0].analysis_id, null)
}

output "opensearch_bootstrap_function_name" {
  description = "Lambda that bootstraps the domain (template, ISM, role mapping, Dashboards); re-invoke it to repair drift. Null without OpenSearch or with enable_opensearch_bootstrap = false."
  value       = try(module.opensearch_bootstrap_lambda[0].function_name, null)
}

output "opensearch_bootstrap_result" {
  description = "What the last bootstrap run changed and found already in place (the function's JSON result); null when it did not run."
  value       = try(jsondecode(aws_lambda_invocation.opensearch_bootstrap[0].result), null)
}

output "glue_catalog_kms_key_arn" {
  description = "Key that encrypts the account's Glue Data Catalog (grant kms:Decrypt through Glue to every reader of the catalog); null when enable_glue_catalog_encryption is false."
  value       = local.catalog_key_arn
}

output "opensearch_security_group_id" {
  description = "Security group of the VPC domain (add ingress rules for other clients here); null for a public domain."
  value       = try(module.opensearch[0].security_group_id, null)
}

output "opensearch_client_security_group_id" {
  description = "Security group of the ingest and bootstrap functions in the domain's VPC; null for a public domain."
  value       = try(aws_security_group.opensearch_clients[0].id, null)
}
