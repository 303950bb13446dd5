# Input validations of modules/alarms: each run breaks one rule and expects its variable to fail;
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
  name_prefix = "probe"
}

run "valid" {
  command = plan
  assert {
    condition     = aws_sns_topic.this.name == "${var.name_prefix}-alarms"
    error_message = "The required inputs alone must plan the alarm topic."
  }
}

run "name_prefix" {
  command = plan
  variables { name_prefix = "bad prefix" }
  expect_failures = [var.name_prefix]
}

run "kms_key_arn" {
  command = plan
  variables { kms_key_arn = "alias/aws/sns" }
  expect_failures = [var.kms_key_arn]
}

run "email_addresses" {
  command = plan
  variables { email_addresses = ["oncall"] }
  expect_failures = [var.email_addresses]
}

run "period_seconds" {
  command = plan
  variables { period_seconds = 90 }
  expect_failures = [var.period_seconds]
}

run "evaluation_periods" {
  command = plan
  variables { evaluation_periods = 0 }
  expect_failures = [var.evaluation_periods]
}

run "firehose_freshness_threshold" {
  command = plan
  variables { firehose_freshness_threshold_seconds = 30 }
  expect_failures = [var.firehose_freshness_threshold_seconds]
}

run "kinesis_write_throttle_threshold" {
  command = plan
  variables { kinesis_write_throttle_threshold = -1 }
  expect_failures = [var.kinesis_write_throttle_threshold]
}

run "lambda_function_names" {
  command = plan
  variables {
    lambda_function_names = {
      "Ingest Fn" = "retail-ingest"
    }
  }
  expect_failures = [var.lambda_function_names]
}

run "lambda_error_threshold" {
  command = plan
  variables { lambda_error_threshold = -1 }
  expect_failures = [var.lambda_error_threshold]
}

run "stream_consumer_function_names" {
  command = plan
  variables {
    stream_consumer_function_names = {
      INGEST = "retail-ingest"
    }
  }
  expect_failures = [var.stream_consumer_function_names]
}

run "iterator_age_threshold_ms" {
  command = plan
  variables { iterator_age_threshold_ms = 10 }
  expect_failures = [var.iterator_age_threshold_ms]
}

run "dead_letter_queue_names" {
  command = plan
  variables {
    dead_letter_queue_names = {
      dlq_1 = "retail-dlq"
    }
  }
  expect_failures = [var.dead_letter_queue_names]
}

run "dead_letter_queue_depth_threshold" {
  command = plan
  variables { dead_letter_queue_depth_threshold = -5 }
  expect_failures = [var.dead_letter_queue_depth_threshold]
}
