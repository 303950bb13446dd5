# Input validations of modules/data_lake: each run breaks one rule and expects its variable to fail;
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
  bucket_name = "probe-lake"
}

run "valid" {
  command = plan
  assert {
    condition     = aws_s3_bucket.this.bucket == var.bucket_name
    error_message = "The required inputs alone must plan the bucket."
  }
}

run "bucket_name_charset" {
  command = plan
  variables { bucket_name = "Bad_Bucket" }
  expect_failures = [var.bucket_name]
}

run "bucket_name_dots" {
  command = plan
  variables { bucket_name = "bad..bucket" }
  expect_failures = [var.bucket_name]
}

run "sse_algorithm" {
  command = plan
  variables { sse_algorithm = "aws:kms:dsse" }
  expect_failures = [var.sse_algorithm]
}

run "kms_key_arn" {
  command = plan
  variables { kms_key_arn = "my-key" }
  expect_failures = [var.kms_key_arn]
}

run "kms_deletion_window" {
  command = plan
  variables { kms_deletion_window_days = 3 }
  expect_failures = [var.kms_deletion_window_days]
}

run "noncurrent_expiration" {
  command = plan
  variables { noncurrent_version_expiration_days = 0 }
  expect_failures = [var.noncurrent_version_expiration_days]
}

run "expiration_days" {
  command = plan
  variables {
    expiration_rules = [
      {
        id     = "a"
        prefix = "a/"
        days   = 0.5
      },
    ]
  }
  expect_failures = [var.expiration_rules]
}

run "expiration_prefix" {
  command = plan
  variables {
    expiration_rules = [
      {
        id     = "a"
        prefix = "/a/"
        days   = 1
      },
    ]
  }
  expect_failures = [var.expiration_rules]
}

run "expiration_ids" {
  command = plan
  variables {
    expiration_rules = [
      {
        id     = "a"
        prefix = "a/"
        days   = 1
      },
      {
        id     = "a"
        prefix = "b/"
        days   = 1
      },
    ]
  }
  expect_failures = [var.expiration_rules]
}

run "abort_multipart" {
  command = plan
  variables { abort_incomplete_multipart_upload_days = 0 }
  expect_failures = [var.abort_incomplete_multipart_upload_days]
}

run "access_log_bucket" {
  command = plan
  variables { access_log_bucket = "Access_Logs" }
  expect_failures = [var.access_log_bucket]
}

run "access_log_bucket_itself" {
  command = plan
  variables { access_log_bucket = "probe-lake" }
  expect_failures = [var.access_log_bucket]
}

run "access_log_prefix" {
  command = plan
  variables { access_log_prefix = "logs" }
  expect_failures = [var.access_log_prefix]
}

run "upload_encryption_exempt_prefixes" {
  command = plan
  variables { upload_encryption_exempt_prefixes = ["aws/lambda"] }
  expect_failures = [var.upload_encryption_exempt_prefixes]
}
