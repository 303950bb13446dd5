locals {
  data_source_id = "${var.name_prefix}-athena"
  data_set_id    = "${var.name_prefix}-${replace(var.table_name, "_", "-")}"

  # What the QuickSight console grants an owner, and a reader, of a data source and of a dataset.
  data_source_owner_actions = [
    "quicksight:DeleteDataSource",
    "quicksight:DescribeDataSource",
    "quicksight:DescribeDataSourcePermissions",
    "quicksight:PassDataSource",
    "quicksight:UpdateDataSource",
    "quicksight:UpdateDataSourcePermissions",
  ]
  data_source_viewer_actions = [
    "quicksight:DescribeDataSource",
    "quicksight:DescribeDataSourcePermissions",
    "quicksight:PassDataSource",
  ]
  data_set_owner_actions = [
    "quicksight:CancelIngestion",
    "quicksight:CreateIngestion",
    "quicksight:DeleteDataSet",
    "quicksight:DescribeDataSet",
    "quicksight:DescribeDataSetPermissions",
    "quicksight:DescribeIngestion",
    "quicksight:ListIngestions",
    "quicksight:PassDataSet",
    "quicksight:UpdateDataSet",
    "quicksight:UpdateDataSetPermissions",
  ]
  data_set_viewer_actions = [
    "quicksight:DescribeDataSet",
    "quicksight:DescribeDataSetPermissions",
    "quicksight:DescribeIngestion",
    "quicksight:ListIngestions",
    "quicksight:PassDataSet",
  ]
  viewers = setsubtract(var.viewer_principal_arns, var.owner_principal_arns)
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

resource "aws_quicksight_data_source" "this" {
  data_source_id = local.data_source_id
  name           = "${var.name_prefix} Athena (${var.athena_workgroup_name})"
  type           = "ATHENA"
  tags           = var.tags

  parameters {
    athena {
      work_group = var.athena_workgroup_name
    }
  }

  ssl_properties {
    disable_ssl = false
  }

  dynamic "permission" {
    for_each = toset(var.owner_principal_arns)
    content {
      principal = permission.value
      actions   = local.data_source_owner_actions
    }
  }

  dynamic "permission" {
    for_each = local.viewers
    content {
      principal = permission.value
      actions   = local.data_source_viewer_actions
    }
  }

  depends_on = [aws_iam_role_policy.service_role]
}

resource "aws_quicksight_data_set" "this" {
  data_set_id = local.data_set_id
  name        = "${var.glue_database_name}.${var.table_name}"
  import_mode = var.import_mode
  tags        = var.tags

  physical_table_map {
    physical_table_map_id = replace(var.table_name, "_", "-")

    relational_table {
      data_source_arn = aws_quicksight_data_source.this.arn
      catalog         = "AwsDataCatalog"
      schema          = var.glue_database_name
      name            = var.table_name

      dynamic "input_columns" {
        for_each = var.columns
        content {
          name = input_columns.value.name
          type = input_columns.value.type
        }
      }
    }
  }

  dynamic "permissions" {
    for_each = toset(var.owner_principal_arns)
    content {
      principal = permissions.value
      actions   = local.data_set_owner_actions
    }
  }

  dynamic "permissions" {
    for_each = local.viewers
    content {
      principal = permissions.value
      actions   = local.data_set_viewer_actions
    }
  }
}
