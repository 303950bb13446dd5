output "data_source_arn" {
  description = "ARN of the Athena data source."
  value       = aws_quicksight_data_source.this.arn
}

output "data_source_id" {
  description = "ID of the Athena data source."
  value       = aws_quicksight_data_source.this.data_source_id
}

output "data_set_arn" {
  description = "ARN of the dataset over the table."
  value       = aws_quicksight_data_set.this.arn
}

output "data_set_id" {
  description = "ID of the dataset (use it to build analyses and dashboards)."
  value       = aws_quicksight_data_set.this.data_set_id
}

output "service_role_policy_json" {
  description = "The policy granted to QuickSight's service role (attached only with attach_service_role_policy)."
  value       = data.aws_iam_policy_document.service_role.json
}
