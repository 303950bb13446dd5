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

output "kms_key_arn" {
  description = "ARN of the customer managed key that encrypts the stream (created here, or given as a key ARN): producers need kms:GenerateDataKey on it, consumers kms:Decrypt. Null when kms_key_id is an alias."
  value       = local.kms_key_arn
}

output "kms_key_created" {
  description = "Whether this module created the KMS key (false when kms_key_id names an existing key or alias)."
  value       = local.create_kms_key
}
