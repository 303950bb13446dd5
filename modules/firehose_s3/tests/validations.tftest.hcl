# Input validations of modules/firehose_s3: each run breaks one rule and expects its variable to fail;
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
  name       = "probe-delivery"
  bucket_arn = "arn:aws:s3:::probe-lake"
}

run "valid" {
  command = plan
  assert {
    condition     = aws_kinesis_firehose_delivery_stream.this.name == var.name
    error_message = "The required inputs alone must plan the delivery stream."
  }
}

run "name" {
  command = plan
  variables { name = "uk online" }
  expect_failures = [var.name]
}

run "kinesis_stream_arn" {
  command = plan
  variables { kinesis_stream_arn = "arn:aws:sqs:us-east-1:000000000000:queue" }
  expect_failures = [var.kinesis_stream_arn]
}

run "bucket_arn" {
  command = plan
  variables { bucket_arn = "my-bucket" }
  expect_failures = [var.bucket_arn]
}

run "prefix" {
  command = plan
  variables { prefix = "/data/" }
  expect_failures = [var.prefix]
}

run "error_output_prefix" {
  command = plan
  variables { error_output_prefix = "errors/" }
  expect_failures = [var.error_output_prefix]
}

run "buffering_size_range" {
  command = plan
  variables { buffering_size = 0 }
  expect_failures = [var.buffering_size]
}

run "buffering_size_minimum" {
  command = plan
  variables {
    buffering_size = 1
    parquet_conversion = {
      database_name = "db"
      table_name    = "t"
    }
  }
  expect_failures = [var.buffering_size]
}

run "buffering_interval" {
  command = plan
  variables { buffering_interval = 30 }
  expect_failures = [var.buffering_interval]
}

run "compression_format" {
  command = plan
  variables { compression_format = "LZ4" }
  expect_failures = [var.compression_format]
}

run "compression_with_parquet" {
  command = plan
  variables {
    compression_format = "GZIP"
    buffering_size     = 64
    parquet_conversion = {
      database_name = "db"
      table_name    = "t"
    }
  }
  expect_failures = [var.compression_format]
}

run "parquet_compression" {
  command = plan
  variables {
    buffering_size = 64
    parquet_conversion = {
      database_name = "db"
      table_name    = "t"
      compression   = "LZO"
    }
  }
  expect_failures = [var.parquet_conversion]
}

run "timestamp_field" {
  command = plan
  variables {
    buffering_size = 64
    prefix         = "x/year=!{partitionKeyFromQuery:year}/month=!{partitionKeyFromQuery:month}/day=!{partitionKeyFromQuery:day}/hour=!{partitionKeyFromQuery:hour}/"
    event_time_partitioning = {
      timestamp_field = "Invoice Date"
    }
  }
  expect_failures = [var.event_time_partitioning]
}

run "event_time_prefix" {
  command = plan
  variables {
    buffering_size          = 64
    event_time_partitioning = {}
  }
  expect_failures = [var.event_time_partitioning]
}

run "log_retention" {
  command = plan
  variables { log_retention_days = 2 }
  expect_failures = [var.log_retention_days]
}

run "record_processor_lambda_arn" {
  command = plan
  variables { record_processor_lambda_arn = "arn:aws:sqs:us-east-1:000000000000:validate" }
  expect_failures = [var.record_processor_lambda_arn]
}
