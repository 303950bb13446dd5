output "workgroup_name" {
  description = "Name of the workgroup; pass it as WorkGroup to StartQueryExecution."
  value       = aws_athena_workgroup.this.name
}

output "workgroup_arn" {
  description = "ARN of the workgroup (for IAM policies that allow athena:StartQueryExecution on it)."
  value       = aws_athena_workgroup.this.arn
}

output "results_location" {
  description = "S3 location where the workgroup writes query results."
  value       = local.output_location
}

output "results_encryption" {
  description = "Encryption of query results: SSE_KMS or SSE_S3."
  value       = var.results_kms_key_arn == null ? "SSE_S3" : "SSE_KMS"
}

output "named_query_ids" {
  description = "IDs of the saved queries by name (empty when create_named_queries is false)."
  value       = { for name, query in aws_athena_named_query.this : name => query.id }
}

output "named_query_names" {
  description = "Names of the saved queries (empty when create_named_queries is false)."
  value       = sort(keys(aws_athena_named_query.this))
}
