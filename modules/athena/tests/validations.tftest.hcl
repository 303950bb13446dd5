# Input validations of modules/athena: each run breaks one rule and expects its variable to fail;
# `valid` plans the required inputs alone. How to add a case: docs/testing.md (Input validations).
# The AWS provider is mocked: no credentials, emulator or network.
mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
}

variables {
  workgroup_name      = "probe-analytics"
  results_bucket_name = "probe-lake"
}

run "valid" {
  command = plan
  assert {
    condition     = aws_athena_workgroup.this.name == var.workgroup_name
    error_message = "The required inputs alone must plan the workgroup."
  }
}

run "workgroup_name" {
  command = plan
  variables { workgroup_name = "primary" }
  expect_failures = [var.workgroup_name]
}

run "results_bucket_name" {
  command = plan
  variables { results_bucket_name = "-lake" }
  expect_failures = [var.results_bucket_name]
}

run "results_prefix" {
  command = plan
  variables { results_prefix = "results" }
  expect_failures = [var.results_prefix]
}

run "results_kms_key_arn" {
  command = plan
  variables { results_kms_key_arn = "alias/lake" }
  expect_failures = [var.results_kms_key_arn]
}

run "expected_bucket_owner" {
  command = plan
  variables { expected_bucket_owner = "12345" }
  expect_failures = [var.expected_bucket_owner]
}

run "bytes_scanned_cutoff" {
  command = plan
  variables { bytes_scanned_cutoff_per_query = 1024 }
  expect_failures = [var.bytes_scanned_cutoff_per_query]
}

run "engine_version" {
  command = plan
  variables { engine_version = "Athena engine version 2" }
  expect_failures = [var.engine_version]
}

run "database_name" {
  command = plan
  variables { database_name = "my-db" }
  expect_failures = [var.database_name]
}

run "table_name" {
  command = plan
  variables { table_name = "Retail" }
  expect_failures = [var.table_name]
}

run "top_n" {
  command = plan
  variables { top_n = 0 }
  expect_failures = [var.top_n]
}
