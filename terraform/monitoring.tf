# Alarms on what loses or delays data, notifying an encrypted SNS topic (enable_alarms).

module "alarms" {
  source = "../modules/alarms"
  count  = var.enable_alarms ? 1 : 0

  name_prefix     = var.name_prefix
  email_addresses = var.alarm_email_addresses

  firehose_delivery_stream_name = local.firehose_name
  kinesis_stream_name           = local.kinesis_stream_name

  lambda_function_names = merge(
    var.enable_parquet_conversion ? {} : { compaction = module.compaction_lambda[0].function_name },
    local.create_ingest ? { ingest = module.ingest_lambda[0].function_name } : {},
  )
  stream_consumer_function_names = local.create_ingest ? { ingest = module.ingest_lambda[0].function_name } : {}
  dead_letter_queue_names = merge(
    var.enable_parquet_conversion ? {} : { compaction = module.compaction_lambda[0].dead_letter_queue_name },
    local.create_ingest ? { ingest = module.ingest_lambda[0].dead_letter_queue_name } : {},
  )

  tags = local.tags
}
