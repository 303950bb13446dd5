# Input validations of modules/kinesis_stream: each run breaks one rule and expects its variable to fail;
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
  name = "probe-trans"
}

run "valid" {
  command = plan
  assert {
    condition     = aws_kinesis_stream.this.name == var.name
    error_message = "The required inputs alone must plan the stream."
  }
}

run "name" {
  command = plan
  variables { name = "retail trans" }
  expect_failures = [var.name]
}

run "stream_mode" {
  command = plan
  variables { stream_mode = "PROVISION" }
  expect_failures = [var.stream_mode]
}

run "shard_count" {
  command = plan
  variables { shard_count = 0 }
  expect_failures = [var.shard_count]
}

run "retention" {
  command = plan
  variables { retention_period_hours = 12 }
  expect_failures = [var.retention_period_hours]
}

run "kms_key_id" {
  command = plan
  variables { kms_key_id = "my-key" }
  expect_failures = [var.kms_key_id]
}

run "metrics" {
  command = plan
  variables { shard_level_metrics = ["Bogus"] }
  expect_failures = [var.shard_level_metrics]
}

run "kms_deletion_window_days" {
  command = plan
  variables { kms_deletion_window_days = 31 }
  expect_failures = [var.kms_deletion_window_days]
}
