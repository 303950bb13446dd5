# Alarms on what loses or delays data, notifying an encrypted SNS topic (enable_alarms), and the operations
# dashboard that graphs every stage (enable_operations_dashboard). docs/operations.md says what each shows.

locals {
  # The Lambda functions' own metrics (Powertools EMF): their environment and the dashboard read these.
  metrics_namespace       = "RetailPipeline"
  ingest_service_name     = "ingest-opensearch"
  compaction_service_name = "compact-parquet"

  # Names known at plan (not the resources' computed IDs), so a plan shows the alarms' and the dashboard's metrics.
  watch_error_prefix       = var.enable_error_prefix_metrics && (var.enable_alarms || var.enable_operations_dashboard)
  error_output_metric_name = "${var.name_prefix}-firehose-errors"
  error_output_metric      = local.watch_error_prefix ? { bucket_name = local.bucket_name, filter_id = local.error_output_metric_name } : null
}

# S3 request metrics on Firehose's error prefix: every PUT there is an object of records that failed delivery or
# conversion. Request metrics are billed as custom CloudWatch metrics, so they exist only for the alarm or the
# dashboard (and enable_error_prefix_metrics).
resource "aws_s3_bucket_metric" "error_output" {
  count = local.watch_error_prefix ? 1 : 0

  bucket = module.data_lake.bucket_id
  name   = local.error_output_metric_name

  filter {
    prefix = local.error_prefix
  }
}

module "alarms" {
  source = "../modules/alarms"
  count  = var.enable_alarms ? 1 : 0

  name_prefix     = var.name_prefix
  email_addresses = var.alarm_email_addresses

  firehose_delivery_stream_name = local.firehose_name
  kinesis_stream_name           = local.kinesis_stream_name
  error_output_metric           = local.error_output_metric

  lambda_function_names = merge(
    var.enable_parquet_conversion ? {} : { compaction = module.compaction_lambda[0].function_name },
    local.create_ingest ? { ingest = module.ingest_lambda[0].function_name } : {},
  )
  stream_consumer_function_names = local.create_ingest ? { ingest = module.ingest_lambda[0].function_name } : {}
  dead_letter_queue_names        = local.dead_letter_queue_names

  tags = local.tags
}

locals {
  dead_letter_queue_names = merge(
    var.enable_parquet_conversion ? {} : { compaction = module.compaction_lambda[0].dead_letter_queue_name },
    local.create_ingest ? { ingest = module.ingest_lambda[0].dead_letter_queue_name } : {},
  )
}

module "operations_dashboard" {
  source = "../modules/operations_dashboard"
  count  = var.enable_operations_dashboard ? 1 : 0

  dashboard_name = "${var.name_prefix}-operations"

  kinesis_stream_name           = local.kinesis_stream_name
  firehose_delivery_stream_name = local.firehose_name
  error_output_metric           = local.error_output_metric
  validation_function = {
    function_name     = local.record_validation_function_name
    metrics_namespace = local.metrics_namespace
    service_name      = local.record_validation_service_name
  }
  ingest_function = local.create_ingest ? {
    function_name     = local.ingest_function_name
    metrics_namespace = local.metrics_namespace
    service_name      = local.ingest_service_name
  } : null
  compaction_function = var.enable_parquet_conversion ? null : {
    function_name     = local.compaction_function_name
    metrics_namespace = local.metrics_namespace
    service_name      = local.compaction_service_name
  }
  dead_letter_queue_names = local.dead_letter_queue_names
  alarm_arns              = try(module.alarms[0].alarm_arns, [])
}
