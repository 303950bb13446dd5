# Input validations of modules/kms_key: each run breaks one rule and expects its variable to fail;
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
  description = "Encrypts the probe"
  alias       = "probe-key"
}

run "valid" {
  command = plan
  assert {
    condition     = aws_kms_key.this.description == var.description
    error_message = "The required inputs alone must plan the key."
  }
}

run "description" {
  command = plan
  variables { description = " " }
  expect_failures = [var.description]
}

run "alias_prefix" {
  command = plan
  variables { alias = "alias/probe" }
  expect_failures = [var.alias]
}

run "alias_reserved" {
  command = plan
  variables { alias = "aws/probe" }
  expect_failures = [var.alias]
}

run "deletion_window" {
  command = plan
  variables { deletion_window_in_days = 6 }
  expect_failures = [var.deletion_window_in_days]
}

run "sid" {
  command = plan
  variables {
    service_statements = [
      {
        sid     = "Logs grant"
        service = "logs.us-east-1.amazonaws.com"
        actions = ["kms:Decrypt"]
        conditions = [
          {
            test     = "StringEquals"
            variable = "aws:SourceAccount"
            values   = ["000000000000"]
          },
        ]
      },
    ]
  }
  expect_failures = [var.service_statements]
}

run "service" {
  command = plan
  variables {
    service_statements = [
      {
        sid     = "Logs"
        service = "arn:aws:iam::000000000000:root"
        actions = ["kms:Decrypt"]
        conditions = [
          {
            test     = "StringEquals"
            variable = "aws:SourceAccount"
            values   = ["000000000000"]
          },
        ]
      },
    ]
  }
  expect_failures = [var.service_statements]
}

run "actions" {
  command = plan
  variables {
    service_statements = [
      {
        sid     = "Logs"
        service = "logs.us-east-1.amazonaws.com"
        actions = ["kms:*"]
        conditions = [
          {
            test     = "StringEquals"
            variable = "aws:SourceAccount"
            values   = ["000000000000"]
          },
        ]
      },
    ]
  }
  expect_failures = [var.service_statements]
}

run "conditions" {
  command = plan
  variables {
    service_statements = [
      {
        sid        = "Logs"
        service    = "logs.us-east-1.amazonaws.com"
        actions    = ["kms:Decrypt"]
        conditions = []
      },
    ]
  }
  expect_failures = [var.service_statements]
}

run "delegate_to_iam" {
  command = plan
  variables { delegate_to_iam = false }
  expect_failures = [var.delegate_to_iam]
}

run "key_administrator_arns" {
  command = plan
  variables { key_administrator_arns = ["admins"] }
  expect_failures = [var.key_administrator_arns]
}

run "key_user_arns" {
  command = plan
  variables { key_user_arns = ["arn:aws:iam::000000000000:root"] }
  expect_failures = [var.key_user_arns]
}

run "key_duties_apart" {
  command = plan
  variables {
    key_administrator_arns = ["arn:aws:iam::000000000000:role/probe"]
    key_user_arns          = ["arn:aws:iam::000000000000:role/probe"]
  }
  expect_failures = [var.key_user_arns]
}
