output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "function_invoke_arn" {
  description = "ARN for invoking the function from API Gateway."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_name" {
  description = "Name of the function's execution role."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the function's execution role (e.g. the backend role to map in OpenSearch fine-grained access control)."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Name of the function's log group (/aws/lambda/<name>)."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the function's log group."
  value       = aws_cloudwatch_log_group.this.arn
}

output "dead_letter_queue_name" {
  description = "Name of the SQS dead-letter queue; null when the module created none."
  value       = try(aws_sqs_queue.dead_letter[0].name, null)
}

output "dead_letter_queue_arn" {
  description = "ARN of the SQS dead-letter queue; null when the module created none."
  value       = try(aws_sqs_queue.dead_letter[0].arn, null)
}

output "dead_letter_queue_url" {
  description = "URL of the SQS dead-letter queue; null when the module created none."
  value       = try(aws_sqs_queue.dead_letter[0].url, null)
}

output "event_source_mapping_uuid" {
  description = "UUID of the Kinesis event source mapping; null without kinesis_event_source."
  value       = try(aws_lambda_event_source_mapping.kinesis[0].uuid, null)
}

output "kinesis_failure_prefix" {
  description = "Where the event source mapping writes the batches it gives up on, in kinesis_failure_bucket: aws/lambda/<mapping UUID>/ (then <shard ID>/YYYY/MM/DD/<time>-<UUID>, Lambda's naming); null without kinesis_failure_bucket."
  value       = local.keeps_failed ? "${local.failed_batch_prefix}${aws_lambda_event_source_mapping.kinesis[0].uuid}/" : null
}

output "schedule_rule_name" {
  description = "Name of the EventBridge rule that invokes the function; null without schedule_expression."
  value       = try(aws_cloudwatch_event_rule.schedule[0].name, null)
}

output "schedule_rule_arn" {
  description = "ARN of the EventBridge schedule rule; null without schedule_expression."
  value       = try(aws_cloudwatch_event_rule.schedule[0].arn, null)
}
