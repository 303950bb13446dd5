# Input validations of modules/operations_dashboard: each run breaks one rule and expects its variable to fail;
# `valid` plans the required inputs alone. How to add a case: docs/testing.md (Input validations).
# The AWS provider is mocked: no credentials, emulator or network.
mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
}

variables {
  dashboard_name = "probe-operations"
}

run "valid" {
  command = plan
  assert {
    condition     = aws_cloudwatch_dashboard.this.dashboard_name == var.dashboard_name
    error_message = "The required inputs alone must plan the dashboard."
  }
}

run "dashboard_name" {
  command = plan
  variables { dashboard_name = "retail operations" }
  expect_failures = [var.dashboard_name]
}

run "period_seconds" {
  command = plan
  variables { period_seconds = 30 }
  expect_failures = [var.period_seconds]
}

run "dead_letter_queue_names" {
  command = plan
  variables {
    dead_letter_queue_names = { "Ingest DLQ" = "retail-dlq" }
  }
  expect_failures = [var.dead_letter_queue_names]
}

run "alarm_arns" {
  command = plan
  variables { alarm_arns = ["retail-ingest-lambda-errors"] }
  expect_failures = [var.alarm_arns]
}

run "validation_function" {
  command = plan
  variables {
    validation_function = {
      function_name     = "retail record validation" # spaces: not a Lambda function name
      metrics_namespace = "RetailPipeline"
      service_name      = "record-validation"
    }
  }
  expect_failures = [var.validation_function]
}

run "ingest_function" {
  command = plan
  variables {
    ingest_function = {
      function_name     = "retail-ingest-opensearch"
      metrics_namespace = "AWS/Lambda" # AWS's own namespaces are not for custom metrics
      service_name      = "ingest-opensearch"
    }
  }
  expect_failures = [var.ingest_function]
}

run "compaction_function" {
  command = plan
  variables {
    compaction_function = {
      function_name     = "retail-compact-parquet"
      metrics_namespace = "RetailPipeline"
      service_name      = "" # the dimension value the graphs select by
    }
  }
  expect_failures = [var.compaction_function]
}
