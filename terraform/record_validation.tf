# Non-contract records never reach the JSON table: Firehose runs every buffer of records through this function
# (data transformation) before delivery. Contract JSON passes (newline-terminated); anything else (a csv or tsv
# line, a foreign producer's bytes, a record missing a field) comes back ProcessingFailed, and Firehose writes
# it whole, base64 in rawData, under the error prefix (00-error/.../hour=HH/processing-failed...), where no table looks
# and firehose_error_prefix's retention applies. The function counts both (RecordsPassed, RecordsQuarantined).
# docs/failure-model.md ("The lake") has the limits this brings (buffering, retries, what an outage does).

locals {
  record_validation_function_name = "${var.name_prefix}-validate-records"
  record_validation_service_name  = "firehose-validate" # its metrics' service dimension (monitoring.tf graphs them)
  # Built from the name so the plan shows Firehose's processor and its role's grant; records only flow once the
  # apply has created both (the function is named before Firehose reads the stream's first record).
  record_validation_function_arn = "${local.arn_prefix}:lambda:${local.region}:${local.account_id}:function:${local.record_validation_function_name}"
}

module "record_validation_lambda" {
  source = "../modules/lambda_function"

  name               = local.record_validation_function_name
  description        = "Firehose processing for ${local.firehose_name}: contract JSON passes, anything else is ProcessingFailed (kept under the error prefix)."
  filename           = "${path.module}/../dist/firehose_validate.zip"
  handler            = "firehose_validate.handler.lambda_handler"
  runtime            = "python3.12"
  timeout            = 60 # Firehose waits at most 5 minutes per invocation; a 1 MiB buffer takes well under a second
  memory_size        = 256
  log_retention_days = var.lambda_log_retention_days
  log_kms_key_arn    = module.operations_key.arn

  environment_variables = {
    REQUIRED_FIELDS              = join(",", local.record_contract.required_fields) # contract.tf.json, as the ingest function's
    DATE_FIELDS                  = join(",", local.record_contract.date_fields)
    POWERTOOLS_SERVICE_NAME      = local.record_validation_service_name
    POWERTOOLS_METRICS_NAMESPACE = local.metrics_namespace
    LOG_LEVEL                    = var.lambda_log_level
  }
  # Invoked synchronously by Firehose: a failed invocation is retried by Firehose (NumberOfRetries), then the
  # whole buffer goes to processing-failed. No dead-letter queue applies.
  dead_letter_queue_url_env_name = null

  tags = local.tags
}
