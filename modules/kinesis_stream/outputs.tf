output "stream_name" {
  description = "Name of the stream."
  value       = aws_kinesis_stream.this.name
}

output "stream_arn" {
  description = "ARN of the stream."
  value       = aws_kinesis_stream.this.arn
}

output "kms_key_id" {
  description = "KMS key (alias or ARN) that encrypts the stream; consumers need kms:Decrypt on it when it is a customer managed key."
  value       = aws_kinesis_stream.this.kms_key_id
}
