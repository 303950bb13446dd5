output "topic_arn" {
  description = "ARN of the SNS topic the alarms notify (subscribe on-call tools to it)."
  value       = aws_sns_topic.this.arn
}

output "topic_name" {
  description = "Name of the SNS topic."
  value       = aws_sns_topic.this.name
}

output "kms_key_arn" {
  description = "KMS key that encrypts the topic (created here unless kms_key_arn was given)."
  value       = local.kms_key_arn
}

output "alarm_names" {
  description = "Names of every alarm created, by what it watches."
  value = merge(
    { for a in aws_cloudwatch_metric_alarm.firehose_freshness : "firehose_freshness" => a.alarm_name },
    { for a in aws_cloudwatch_metric_alarm.kinesis_write_throttles : "kinesis_write_throttles" => a.alarm_name },
    { for a in aws_cloudwatch_metric_alarm.firehose_error_objects : "firehose_error_objects" => a.alarm_name },
    { for k, a in aws_cloudwatch_metric_alarm.lambda_errors : "${k}_lambda_errors" => a.alarm_name },
    { for k, a in aws_cloudwatch_metric_alarm.iterator_age : "${k}_iterator_age" => a.alarm_name },
    { for k, a in aws_cloudwatch_metric_alarm.dead_letter_queue_depth : "${k}_dlq_depth" => a.alarm_name },
  )
}

output "alarm_arns" {
  description = "ARNs of every alarm created, built from their names so they are known at plan (e.g. for the operations dashboard's alarm widget)."
  value = [
    for name in concat(
      aws_cloudwatch_metric_alarm.firehose_freshness[*].alarm_name,
      aws_cloudwatch_metric_alarm.kinesis_write_throttles[*].alarm_name,
      aws_cloudwatch_metric_alarm.firehose_error_objects[*].alarm_name,
      [for a in aws_cloudwatch_metric_alarm.lambda_errors : a.alarm_name],
      [for a in aws_cloudwatch_metric_alarm.iterator_age : a.alarm_name],
      [for a in aws_cloudwatch_metric_alarm.dead_letter_queue_depth : a.alarm_name],
    ) : "${local.arn_prefix}:cloudwatch:${local.region}:${local.account_id}:alarm:${name}"
  ]
}
