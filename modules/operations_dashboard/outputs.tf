output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_arn" {
  description = "ARN of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_arn
}

output "dashboard_url" {
  description = "Link to the dashboard in the CloudWatch console (commercial AWS partition)."
  value       = "https://${local.region}.console.aws.amazon.com/cloudwatch/home?region=${local.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this.dashboard_name}"
}

output "widget_titles" {
  description = "Titles of the graphs on the dashboard, top to bottom (what the inputs switched on)."
  value       = [for w in local.section_widgets : w.properties.title if w.type == "metric"]
}
