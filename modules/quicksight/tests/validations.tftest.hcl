# Input validations of modules/quicksight: each run breaks one rule and expects its variable to fail;
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
  name_prefix           = "probe"
  athena_workgroup_name = "probe-analytics"
  glue_database_name    = "mydatabase"
  table_name            = "retail_trans_json"
  owner_principal_arns  = ["arn:aws:quicksight:us-east-1:000000000000:user/default/analyst"]
  bucket_name           = "probe-lake"
  data_prefix           = "00-retail-trans/"
}

run "valid" {
  command = plan
  assert {
    condition     = aws_quicksight_data_set.this.name == "${var.glue_database_name}.${var.table_name}"
    error_message = "The required inputs alone must plan the data set."
  }
}

run "name_prefix" {
  command = plan
  variables { name_prefix = "bad prefix" }
  expect_failures = [var.name_prefix]
}

run "athena_workgroup_name" {
  command = plan
  variables { athena_workgroup_name = "bad/group" }
  expect_failures = [var.athena_workgroup_name]
}

run "glue_database_name" {
  command = plan
  variables { glue_database_name = "MyDatabase" }
  expect_failures = [var.glue_database_name]
}

run "table_name" {
  command = plan
  variables { table_name = "retail-trans" }
  expect_failures = [var.table_name]
}

run "columns" {
  command = plan
  variables {
    # every column the visuals need is there: only the FLOAT type breaks a rule
    columns = [
      { name = "invoicedate", type = "DATETIME" },
      { name = "quantity", type = "INTEGER" },
      { name = "price", type = "DECIMAL" },
      { name = "country", type = "STRING" },
      { name = "description", type = "STRING" },
      { name = "discount", type = "FLOAT" },
    ]
  }
  expect_failures = [var.columns]
}

run "columns_for_visuals" {
  command = plan
  variables {
    columns = [
      { name = "price", type = "DECIMAL" },
    ]
  }
  expect_failures = [var.columns]
}

run "top_products_count" {
  command = plan
  variables { top_products_count = 0 }
  expect_failures = [var.top_products_count]
}

run "import_mode" {
  command = plan
  variables { import_mode = "CACHED" }
  expect_failures = [var.import_mode]
}

run "owner_principal_arns_empty" {
  command = plan
  variables { owner_principal_arns = [] }
  expect_failures = [var.owner_principal_arns]
}

run "owner_principal_arns_format" {
  command = plan
  variables { owner_principal_arns = ["analyst"] }
  expect_failures = [var.owner_principal_arns]
}

run "viewer_principal_arns" {
  command = plan
  variables { viewer_principal_arns = ["arn:aws:iam::000000000000:user/analyst"] }
  expect_failures = [var.viewer_principal_arns]
}

run "service_role_name" {
  command = plan
  variables { service_role_name = "role/with/slashes" }
  expect_failures = [var.service_role_name]
}

run "bucket_name" {
  command = plan
  variables { bucket_name = "Bad_Bucket" }
  expect_failures = [var.bucket_name]
}

run "data_prefix" {
  command = plan
  variables { data_prefix = "/00-retail-trans" }
  expect_failures = [var.data_prefix]
}

run "athena_results_prefix" {
  command = plan
  variables { athena_results_prefix = "athena-results" }
  expect_failures = [var.athena_results_prefix]
}
