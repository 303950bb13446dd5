locals {
  # A run-as data source gets an ID of its own, so switching create_data_source_role creates the new data source
  # (the dataset moves to it) before the old one is deleted, instead of colliding with it.
  data_source_id   = var.create_data_source_role ? "${var.name_prefix}-athena-run-as" : "${var.name_prefix}-athena"
  data_source_name = "${var.name_prefix} Athena (${var.athena_workgroup_name})"
  data_source_arn  = var.create_data_source_role ? aws_cloudformation_stack.data_source[0].outputs["Arn"] : aws_quicksight_data_source.this[0].arn
  data_set_id      = "${var.name_prefix}-${replace(var.table_name, "_", "-")}"

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

# The data source with a role of its own (create_data_source_role): the QuickSight API takes the role as
# AthenaParameters.RoleArn, but provider 5.100's aws_quicksight_data_source cannot set it (parameters.athena has
# work_group only; role_arn came with pull request hashicorp/terraform-provider-aws#44666, in 6.x). CloudFormation's
# AWS::QuickSight::DataSource can, so this one resource goes through a stack. Replace it with
# aws_quicksight_data_source and parameters.athena.role_arn once the provider pin allows 6.x.
resource "aws_cloudformation_stack" "data_source" {
  count = var.create_data_source_role ? 1 : 0

  #checkov:skip=CKV_AWS_124:Only Terraform creates, updates and deletes this one-resource stack, and it reports a failed operation with the stack's events; SNS notifications would repeat that to no one.
  name = "${var.name_prefix}-quicksight-data-source"
  tags = var.tags
  template_body = jsonencode({
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "QuickSight Athena data source ${local.data_source_id}, querying as the role ${local.role_name} (managed by Terraform)."
    Resources = {
      DataSource = {
        Type = "AWS::QuickSight::DataSource"
        Properties = {
          AwsAccountId = local.account_id
          DataSourceId = local.data_source_id
          Name         = local.data_source_name
          Type         = "ATHENA"
          DataSourceParameters = {
            AthenaParameters = { WorkGroup = var.athena_workgroup_name, RoleArn = local.role_arn }
          }
          SslProperties = { DisableSsl = false }
          Permissions = concat(
            [for p in sort(var.owner_principal_arns) : { Principal = p, Actions = local.data_source_owner_actions }],
            [for p in sort(local.viewers) : { Principal = p, Actions = local.data_source_viewer_actions }],
          )
          # No Tags here: CloudFormation gives the stack's tags to the data source.
        }
      }
    }
    Outputs = {
      Arn = { Value = { "Fn::GetAtt" = ["DataSource", "Arn"] } }
    }
  })

  # The role (its ARN is built from its name, so the template is known at plan) and its policy must be in place
  # before QuickSight checks the data source by running a query as the role.
  depends_on = [aws_iam_role_policy.data_source]
}

# The data source on QuickSight's account-wide service role (create_data_source_role = false).
resource "aws_quicksight_data_source" "this" {
  count = var.create_data_source_role ? 0 : 1

  data_source_id = local.data_source_id
  name           = local.data_source_name
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

moved {
  from = aws_quicksight_data_source.this
  to   = aws_quicksight_data_source.this[0]
}

resource "aws_quicksight_data_set" "this" {
  data_set_id = local.data_set_id
  name        = "${var.glue_database_name}.${var.table_name}"
  import_mode = var.import_mode
  tags        = var.tags

  physical_table_map {
    physical_table_map_id = replace(var.table_name, "_", "-")

    relational_table {
      data_source_arn = local.data_source_arn
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
