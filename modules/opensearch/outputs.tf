output "domain_name" {
  description = "Name of the domain."
  value       = aws_opensearch_domain.this.domain_name
}

output "domain_arn" {
  description = "ARN of the domain (IAM policies grant es:ESHttp* on <arn>/*)."
  value       = aws_opensearch_domain.this.arn
}

output "domain_id" {
  description = "Unique identifier of the domain (<account>/<name>)."
  value       = aws_opensearch_domain.this.domain_id
}

output "endpoint" {
  description = "Host name of the domain's HTTPS endpoint (no scheme)."
  value       = aws_opensearch_domain.this.endpoint
}

output "endpoint_url" {
  description = "URL of the domain's endpoint: https://<endpoint>."
  value       = "https://${aws_opensearch_domain.this.endpoint}"
}

output "dashboard_endpoint" {
  description = "Host name and path of OpenSearch Dashboards (<endpoint>/_dashboards)."
  value       = aws_opensearch_domain.this.dashboard_endpoint
}

output "kms_key_arn" {
  description = "KMS key that encrypts the domain at rest (created here unless kms_key_arn was given)."
  value       = local.kms_key_arn
}

output "master_user_arn" {
  description = "IAM role or user that is the fine-grained-access-control master; null with an internal master user."
  value       = local.master_user_arn
}

output "master_role_created" {
  description = "Whether this module created the master role (master_user_mode = iam without master_user_arn)."
  value       = local.create_master
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret holding the internal master user's name and password (JSON); null with an IAM master."
  value       = try(aws_secretsmanager_secret.master[0].arn, null)
}

output "security_group_id" {
  description = "Security group of a VPC domain; null for a public endpoint."
  value       = try(aws_security_group.this[0].id, null)
}

output "log_group_names" {
  description = "Log groups receiving the domain's logs, by log type."
  value       = { for type, group in aws_cloudwatch_log_group.this : type => group.name }
}
