# Input validations of modules/lambda_function: each run breaks one rule and expects its variable to fail;
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
  name     = "probe-fn"
  filename = "../../dist/compact_parquet.zip"
  handler  = "compact_parquet.handler.lambda_handler"
}

run "valid" {
  command = plan
  assert {
    condition     = aws_lambda_function.this.function_name == var.name
    error_message = "The required inputs alone must plan the function."
  }
}

run "name" {
  command = plan
  variables { name = "bad name!" }
  expect_failures = [var.name]
}

run "description" {
  command = plan
  variables { description = join("", [for i in range(257) : "x"]) }
  expect_failures = [var.description]
}

run "filename" {
  command = plan
  variables { filename = "../../dist/compact_parquet.tar" }
  expect_failures = [var.filename]
}

run "handler" {
  command = plan
  variables { handler = "lambda_handler" }
  expect_failures = [var.handler]
}

run "runtime" {
  command = plan
  variables { runtime = "python2.7" }
  expect_failures = [var.runtime]
}

run "architecture" {
  command = plan
  variables { architecture = "sparc" }
  expect_failures = [var.architecture]
}

run "timeout" {
  command = plan
  variables { timeout = 901 }
  expect_failures = [var.timeout]
}

run "memory_size" {
  command = plan
  variables { memory_size = 64 }
  expect_failures = [var.memory_size]
}

run "reserved_concurrency" {
  command = plan
  variables { reserved_concurrent_executions = -1 }
  expect_failures = [var.reserved_concurrent_executions]
}

run "environment_key" {
  command = plan
  variables {
    environment_variables = {
      "1BAD" = "x"
    }
  }
  expect_failures = [var.environment_variables]
}

run "environment_reserved_key" {
  command = plan
  variables {
    environment_variables = {
      AWS_REGION = "x"
    }
  }
  expect_failures = [var.environment_variables]
}

run "environment_kms_key" {
  command = plan
  variables { environment_kms_key_arn = "alias/x" }
  expect_failures = [var.environment_kms_key_arn]
}

run "policy_json" {
  command = plan
  variables { policy_json = "{not json" }
  expect_failures = [var.policy_json]
}

run "attach_policy_json" {
  command = plan
  variables { attach_policy_json = true }
  expect_failures = [var.attach_policy_json]
}

run "log_retention_days" {
  command = plan
  variables { log_retention_days = -1 }
  expect_failures = [var.log_retention_days]
}

run "log_kms_key" {
  command = plan
  variables { log_kms_key_arn = "key-1" }
  expect_failures = [var.log_kms_key_arn]
}

run "tracing_mode" {
  command = plan
  variables { tracing_mode = "On" }
  expect_failures = [var.tracing_mode]
}

run "vpc_subnets" {
  command = plan
  variables {
    vpc_config = {
      subnet_ids         = []
      security_group_ids = ["sg-1"]
    }
  }
  expect_failures = [var.vpc_config]
}

run "vpc_security_groups" {
  command = plan
  variables {
    vpc_config = {
      subnet_ids         = ["subnet-1"]
      security_group_ids = ["default"]
    }
  }
  expect_failures = [var.vpc_config]
}

run "stream_arn" {
  command = plan
  variables {
    kinesis_event_source = {
      stream_arn = "retail-trans"
    }
  }
  expect_failures = [var.kinesis_event_source]
}

run "batch_size" {
  command = plan
  variables {
    kinesis_event_source = {
      stream_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans"
      batch_size = 10001
    }
  }
  expect_failures = [var.kinesis_event_source]
}

run "batching_window" {
  command = plan
  variables {
    kinesis_event_source = {
      stream_arn                         = "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans"
      maximum_batching_window_in_seconds = 301
    }
  }
  expect_failures = [var.kinesis_event_source]
}

run "parallelization_factor" {
  command = plan
  variables {
    kinesis_event_source = {
      stream_arn             = "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans"
      parallelization_factor = 11
    }
  }
  expect_failures = [var.kinesis_event_source]
}

run "starting_position" {
  command = plan
  variables {
    kinesis_event_source = {
      stream_arn        = "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans"
      starting_position = "EARLIEST"
    }
  }
  expect_failures = [var.kinesis_event_source]
}

run "starting_position_timestamp" {
  command = plan
  variables {
    kinesis_event_source = {
      stream_arn        = "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans"
      starting_position = "AT_TIMESTAMP"
    }
  }
  expect_failures = [var.kinesis_event_source]
}

run "maximum_retry_attempts" {
  command = plan
  variables {
    kinesis_event_source = {
      stream_arn             = "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans"
      maximum_retry_attempts = 10001
    }
  }
  expect_failures = [var.kinesis_event_source]
}

run "maximum_record_age" {
  command = plan
  variables {
    kinesis_event_source = {
      stream_arn                    = "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans"
      maximum_record_age_in_seconds = 30
    }
  }
  expect_failures = [var.kinesis_event_source]
}

run "failure_bucket_arn" {
  command = plan
  variables {
    kinesis_event_source   = { stream_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans" }
    kinesis_failure_bucket = { arn = "arn:aws:s3:::l/aws/" }
  }
  expect_failures = [var.kinesis_failure_bucket]
}

run "failure_bucket_kms_key" {
  command = plan
  variables {
    kinesis_event_source   = { stream_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans" }
    kinesis_failure_bucket = { arn = "arn:aws:s3:::probe-lake", kms_key_arn = "alias/lake" }
  }
  expect_failures = [var.kinesis_failure_bucket]
}

run "failure_bucket_without_stream" {
  command = plan
  variables {
    kinesis_failure_bucket = { arn = "arn:aws:s3:::probe-lake" }
  }
  expect_failures = [var.kinesis_failure_bucket]
}

run "dead_letter_queue_url_env_name" {
  command = plan
  variables { dead_letter_queue_url_env_name = "dlq-url" }
  expect_failures = [var.dead_letter_queue_url_env_name]
}

run "dead_letter_queue_retention" {
  command = plan
  variables { dead_letter_queue_message_retention_seconds = 1209601 }
  expect_failures = [var.dead_letter_queue_message_retention_seconds]
}

run "dead_letter_queue_kms_key" {
  command = plan
  variables { dead_letter_queue_kms_key_arn = "alias/aws/sqs" }
  expect_failures = [var.dead_letter_queue_kms_key_arn]
}

run "async_retries" {
  command = plan
  variables { async_maximum_retry_attempts = 3 }
  expect_failures = [var.async_maximum_retry_attempts]
}

run "async_event_age" {
  command = plan
  variables { async_maximum_event_age_seconds = 30 }
  expect_failures = [var.async_maximum_event_age_seconds]
}

run "schedule_expression" {
  command = plan
  variables { schedule_expression = "every hour" }
  expect_failures = [var.schedule_expression]
}
