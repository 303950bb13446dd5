output "bucket_id" {
  description = "Name of the bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the bucket."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the bucket's objects; null when sse_algorithm is AES256."
  value       = local.kms_key_arn
}

output "kms_key_created" {
  description = "Whether this module created the KMS key (false when one was passed in or AES256 is used)."
  value       = local.create_kms_key
}
