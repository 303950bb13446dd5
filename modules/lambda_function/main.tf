locals {
  is_kinesis_source = var.kinesis_event_source != null
  is_scheduled      = var.schedule_expression != null
  is_vpc            = var.vpc_config != null
  create_dlq        = local.is_kinesis_source || var.create_dead_letter_queue
  keeps_failed      = local.is_kinesis_source && var.kinesis_failure_bucket != null
  # Lambda names the objects of an S3 on-failure destination aws/lambda/<mapping UUID>/<shard ID>/<date>/...
  failed_batch_prefix = "aws/lambda/"

  log_group_name = "/aws/lambda/${var.name}"
  dlq_name       = "${var.name}-dlq"
  rule_name      = "${substr(var.name, 0, 55)}-schedule" # EventBridge rule names stop at 64 characters

  # ARNs built from names, so every policy is known (and reviewable) at plan time.
  account_id = data.aws_caller_identity.current.account_id
  arn_prefix = "arn:${data.aws_partition.current.partition}"
  region     = data.aws_region.current.name
  log_arn    = "${local.arn_prefix}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
  dlq_arn    = "${local.arn_prefix}:sqs:${local.region}:${local.account_id}:${local.dlq_name}"

  environment = merge(
    var.environment_variables,
    local.create_dlq && var.dead_letter_queue_url_env_name != null ? { (var.dead_letter_queue_url_env_name) = aws_sqs_queue.dead_letter[0].url } : {},
  )
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Failures are kept by destinations, the successor of dead_letter_config: asynchronous runs (the schedule) go to the module's encrypted queue through aws_lambda_function_event_invoke_config, Kinesis batches through the event source mapping's on-failure destination (a function DLQ never sees stream batches). A function with neither is invoked synchronously and its caller gets the error.
  #checkov:skip=CKV_AWS_272:Code signing validates packages signed by AWS Signer and uploaded from S3; this module deploys the zip that `make build` produces reproducibly from the repository (source_code_hash pins it), so there is no signing profile to enforce. Add a code_signing_config when packages come from a signing pipeline.
  function_name                  = var.name
  description                    = var.description
  role                           = aws_iam_role.this.arn
  filename                       = var.filename
  source_code_hash               = filebase64sha256(var.filename)
  handler                        = var.handler
  runtime                        = var.runtime
  architectures                  = [var.architecture]
  timeout                        = var.timeout
  memory_size                    = var.memory_size
  reserved_concurrent_executions = coalesce(var.reserved_concurrent_executions, -1) # -1: unreserved
  kms_key_arn                    = var.environment_kms_key_arn
  tags                           = var.tags

  dynamic "environment" {
    for_each = length(local.environment) > 0 ? [local.environment] : []
    content {
      variables = environment.value
    }
  }

  tracing_config {
    mode = var.tracing_mode
  }

  dynamic "vpc_config" {
    for_each = local.is_vpc ? [var.vpc_config] : []
    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  # The log group (with its retention) and the role's permissions exist before the first invocation:
  # otherwise Lambda creates a never-expiring log group, or the event source mapping starts unauthorised.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.module, aws_iam_role_policy.function]
}

# --- Dead-letter queue ---------------------------------------------------------------------------

resource "aws_sqs_queue" "dead_letter" {
  count = local.create_dlq ? 1 : 0

  name                              = local.dlq_name
  message_retention_seconds         = var.dead_letter_queue_message_retention_seconds
  sqs_managed_sse_enabled           = var.dead_letter_queue_kms_key_arn == null ? true : null
  kms_master_key_id                 = var.dead_letter_queue_kms_key_arn
  kms_data_key_reuse_period_seconds = var.dead_letter_queue_kms_key_arn == null ? null : 300
  tags                              = var.tags
}

data "aws_iam_policy_document" "dead_letter" {
  count = local.create_dlq ? 1 : 0

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"] # a deny: every action, including future ones, needs TLS
    resources = [local.dlq_arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "dead_letter" {
  count = local.create_dlq ? 1 : 0

  queue_url = aws_sqs_queue.dead_letter[0].url
  policy    = data.aws_iam_policy_document.dead_letter[0].json
}

# Asynchronous invocations (the schedule) that still fail after their retries are kept, not dropped.
resource "aws_lambda_function_event_invoke_config" "this" {
  count = local.create_dlq ? 1 : 0

  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.async_maximum_retry_attempts
  maximum_event_age_in_seconds = var.async_maximum_event_age_seconds

  destination_config {
    on_failure {
      destination = local.dlq_arn
    }
  }

  depends_on = [aws_sqs_queue.dead_letter]
}

# --- Kinesis trigger -----------------------------------------------------------------------------

resource "aws_lambda_event_source_mapping" "kinesis" {
  count = local.is_kinesis_source ? 1 : 0

  function_name                      = aws_lambda_function.this.arn
  event_source_arn                   = var.kinesis_event_source.stream_arn
  enabled                            = var.kinesis_event_source.enabled
  batch_size                         = var.kinesis_event_source.batch_size
  maximum_batching_window_in_seconds = var.kinesis_event_source.maximum_batching_window_in_seconds
  parallelization_factor             = var.kinesis_event_source.parallelization_factor
  starting_position                  = var.kinesis_event_source.starting_position
  starting_position_timestamp        = var.kinesis_event_source.starting_position_timestamp
  bisect_batch_on_function_error     = var.kinesis_event_source.bisect_batch_on_function_error
  maximum_retry_attempts             = var.kinesis_event_source.maximum_retry_attempts
  maximum_record_age_in_seconds      = var.kinesis_event_source.maximum_record_age_in_seconds
  function_response_types            = var.kinesis_event_source.report_batch_item_failures ? ["ReportBatchItemFailures"] : []
  tags                               = var.tags

  # An S3 bucket receives the whole invocation record, records included; SQS would only get the batch's coordinates.
  destination_config {
    on_failure {
      destination_arn = local.keeps_failed ? var.kinesis_failure_bucket.arn : local.dlq_arn
    }
  }

  depends_on = [aws_sqs_queue.dead_letter]
}

# --- Schedule ------------------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "schedule" {
  count = local.is_scheduled ? 1 : 0

  name                = local.rule_name
  description         = "Invokes ${var.name} on ${var.schedule_expression} (UTC)."
  schedule_expression = var.schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  count = local.is_scheduled ? 1 : 0

  rule = aws_cloudwatch_event_rule.schedule[0].name
  arn  = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "schedule" {
  count = local.is_scheduled ? 1 : 0

  statement_id   = "InvokeFromSchedule"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = "events.amazonaws.com"
  source_arn     = aws_cloudwatch_event_rule.schedule[0].arn
  source_account = local.account_id
}
