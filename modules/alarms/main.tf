locals {
  create_kms_key = var.kms_key_arn == null
  kms_key_arn    = local.create_kms_key ? module.kms_key[0].arn : var.kms_key_arn
  topic_name     = "${var.name_prefix}-alarms"

  account_id = data.aws_caller_identity.current.account_id
  arn_prefix = "arn:${data.aws_partition.current.partition}"
  region     = data.aws_region.current.name
  topic_arn  = "${local.arn_prefix}:sns:${local.region}:${local.account_id}:${local.topic_name}"
  alarm_arns = "${local.arn_prefix}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name_prefix}-*"

  actions = [aws_sns_topic.this.arn]
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# --- Topic ---------------------------------------------------------------------------------------

# CloudWatch publishes to the encrypted topic with its own identity: it needs the key, for this account only.
module "kms_key" {
  source = "../kms_key"
  count  = local.create_kms_key ? 1 : 0

  description = "Encrypts the SNS topic ${local.topic_name}"
  alias       = local.topic_name
  tags        = var.tags
  service_statements = [{
    sid        = "CloudWatchAlarmsEncryptNotifications"
    service    = "cloudwatch.amazonaws.com" # on resource "*": in a key policy, this key only
    actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
    conditions = [{ test = "StringEquals", variable = "aws:SourceAccount", values = [local.account_id] }]
  }]
}

moved {
  from = aws_kms_key.this[0]
  to   = module.kms_key[0].aws_kms_key.this
}

moved {
  from = aws_kms_alias.this[0]
  to   = module.kms_key[0].aws_kms_alias.this
}

resource "aws_sns_topic" "this" {
  name              = local.topic_name
  kms_master_key_id = local.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [local.topic_arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition { # confused-deputy guard: only this account's alarms of this stack
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.alarm_arns]
    }
  }

  statement {
    sid       = "AccountManagesTopic"
    actions   = ["sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic", "sns:Subscribe", "sns:Publish"]
    resources = [local.topic_arn]
    principals {
      type        = "AWS"
      identifiers = ["${local.arn_prefix}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish", "sns:Subscribe"]
    resources = [local.topic_arn]
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

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.email_addresses)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}

# --- Alarms --------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "firehose_freshness" {
  count = var.firehose_delivery_stream_name == null ? 0 : 1

  alarm_name          = "${var.name_prefix}-firehose-delivery-freshness"
  alarm_description   = "Records wait in Firehose longer than ${var.firehose_freshness_threshold_seconds} s: delivery to S3 is failing or falling behind."
  namespace           = "AWS/Firehose"
  metric_name         = "DeliveryToS3.DataFreshness"
  dimensions          = { DeliveryStreamName = var.firehose_delivery_stream_name }
  statistic           = "Maximum"
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.firehose_freshness_threshold_seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "kinesis_write_throttles" {
  count = var.kinesis_stream_name == null ? 0 : 1

  alarm_name          = "${var.name_prefix}-kinesis-write-throttles"
  alarm_description   = "Producers are throttled writing to the stream: add shards (or use on-demand) before records are lost at the producer."
  namespace           = "AWS/Kinesis"
  metric_name         = "WriteProvisionedThroughputExceeded"
  dimensions          = { StreamName = var.kinesis_stream_name }
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.kinesis_write_throttle_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

# S3 request metrics count requests, not objects: PutRequests on the error prefix's filter is the number of
# objects Firehose wrote there (a multipart upload would count each part; error objects are small).
resource "aws_cloudwatch_metric_alarm" "firehose_error_objects" {
  count = var.error_output_metric == null ? 0 : 1

  alarm_name          = "${var.name_prefix}-firehose-error-objects"
  alarm_description   = "Firehose wrote objects under its error prefix in s3://${var.error_output_metric.bucket_name}: records failed delivery or conversion. They are kept there; read them, fix the cause and send them again."
  namespace           = "AWS/S3"
  metric_name         = "PutRequests"
  dimensions          = { BucketName = var.error_output_metric.bucket_name, FilterId = var.error_output_metric.filter_id }
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = 1 # one error object is enough: records are waiting outside the table
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = var.lambda_function_names

  alarm_name          = "${var.name_prefix}-${each.key}-lambda-errors"
  alarm_description   = "The ${each.value} function failed: see its log group; failed records and invocations are in its dead-letter queue."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.lambda_error_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "iterator_age" {
  for_each = var.stream_consumer_function_names

  alarm_name          = "${var.name_prefix}-${each.key}-iterator-age"
  alarm_description   = "The ${each.value} function is more than ${var.iterator_age_threshold_ms} ms behind its stream: records risk expiring before they are processed."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = each.value }
  statistic           = "Maximum"
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.iterator_age_threshold_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dead_letter_queue_depth" {
  for_each = var.dead_letter_queue_names

  alarm_name          = "${var.name_prefix}-${each.key}-dlq-depth"
  alarm_description   = "Messages wait in ${each.value}: records or invocations failed for good and need attention (replay them once fixed)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.dead_letter_queue_depth_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}
