output "delivery_stream_name" {
  description = "Name of the delivery stream."
  value       = aws_kinesis_firehose_delivery_stream.this.name
}

output "delivery_stream_arn" {
  description = "ARN of the delivery stream."
  value       = aws_kinesis_firehose_delivery_stream.this.arn
}

output "source" {
  description = "Where records come from: \"kinesis\" (the stream) or \"direct_put\" (producers call Firehose)."
  value       = local.is_kinesis_source ? "kinesis" : "direct_put"
}

output "role_arn" {
  description = "ARN of the IAM role Firehose assumes."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "CloudWatch log group that receives delivery errors."
  value       = aws_cloudwatch_log_group.this.name
}
