# Input validations of modules/glue_catalog: each run breaks one rule and expects its variable to fail;
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
    condition     = aws_glue_catalog_database.this.name == var.database_name
    error_message = "The required inputs alone must plan the database."
  }
}

run "database_name" {
  command = plan
  variables { database_name = "My-DB" }
  expect_failures = [var.database_name]
}

run "bucket_name" {
  command = plan
  variables { bucket_name = "B" }
  expect_failures = [var.bucket_name]
}

run "json_table_name" {
  command = plan
  variables { json_table_name = "retail-json" }
  expect_failures = [var.json_table_name]
}

run "json_prefix" {
  command = plan
  variables { json_prefix = "00-retail-trans" }
  expect_failures = [var.json_prefix]
}

run "parquet_table_name" {
  command = plan
  variables { parquet_table_name = "Parquet" }
  expect_failures = [var.parquet_table_name]
}

run "parquet_prefix" {
  command = plan
  variables { parquet_prefix = "/parquet/" }
  expect_failures = [var.parquet_prefix]
}

run "parquet_compression" {
  command = plan
  variables { parquet_compression = "LZO" }
  expect_failures = [var.parquet_compression]
}

run "column_names" {
  command = plan
  variables {
    columns = [
      {
        name = "Invoice"
        type = "string"
      },
    ]
  }
  expect_failures = [var.columns]
}

run "column_types" {
  command = plan
  variables {
    columns = [
      {
        name = "invoice"
        type = "text"
      },
    ]
  }
  expect_failures = [var.columns]
}

run "column_partition_clash" {
  command = plan
  variables {
    columns = [
      {
        name = "year"
        type = "string"
      },
    ]
  }
  expect_failures = [var.columns]
}

run "projection_years_range" {
  command = plan
  variables {
    projection_years = {
      first = 1900
      last  = 2030
    }
  }
  expect_failures = [var.projection_years]
}

run "projection_years_order" {
  command = plan
  variables {
    projection_years = {
      first = 2030
      last  = 2020
    }
  }
  expect_failures = [var.projection_years]
}
