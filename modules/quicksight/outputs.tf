output "data_source_arn" {
  description = "ARN of the Athena data source."
  value       = local.data_source_arn
}

output "data_source_id" {
  description = "ID of the Athena data source (<name_prefix>-athena-run-as with its own role, <name_prefix>-athena on the service role)."
  value       = local.data_source_id
}

output "data_source_role_arn" {
  description = "IAM role the data source runs its Athena queries as; null with create_data_source_role = false (QuickSight's service role runs them)."
  value       = try(aws_iam_role.data_source[0].arn, null)
}

output "data_set_arn" {
  description = "ARN of the dataset over the table."
  value       = aws_quicksight_data_set.this.arn
}

output "data_set_id" {
  description = "ID of the dataset (use it to build analyses and dashboards)."
  value       = aws_quicksight_data_set.this.data_set_id
}

output "data_access_policy_json" {
  description = "The policy that lets QuickSight run the Athena queries: on the data source's role, or on the service role with create_data_source_role = false and attach_service_role_policy."
  value       = data.aws_iam_policy_document.data_access.json
}

output "template_arn" {
  description = "ARN of the template holding the visuals' definition; null with create_dashboard = false."
  value       = try(aws_quicksight_template.this[0].arn, null)
}

output "analysis_id" {
  description = "ID of the analysis owners edit; null with create_dashboard = false."
  value       = try(aws_quicksight_analysis.this[0].analysis_id, null)
}

output "dashboard_id" {
  description = "ID of the published dashboard; null with create_dashboard = false."
  value       = try(aws_quicksight_dashboard.this[0].dashboard_id, null)
}

output "dashboard_arn" {
  description = "ARN of the published dashboard; null with create_dashboard = false."
  value       = try(aws_quicksight_dashboard.this[0].arn, null)
}
