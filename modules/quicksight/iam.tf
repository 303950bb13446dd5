locals {
  account_id    = data.aws_caller_identity.current.account_id
  arn_prefix    = "arn:${data.aws_partition.current.partition}"
  region        = data.aws_region.current.name
  bucket_arn    = "${local.arn_prefix}:s3:::${var.bucket_name}"
  glue_resource = "${local.arn_prefix}:glue:${local.region}:${local.account_id}"

  role_name = "${var.name_prefix}-quicksight-athena"
  role_arn  = "${local.arn_prefix}:iam::${local.account_id}:role/${local.role_name}"
}

# What running the data source's Athena queries needs: the workgroup, the table's metadata, the data below its
# prefix, the results folder, and the bucket key through S3. Nothing else. With create_data_source_role it is the
# policy of the data source's own role; without, it goes on QuickSight's account-wide service role.
data "aws_iam_policy_document" "data_access" {
  statement {
    sid = "RunQueriesInWorkgroup"
    actions = [
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:GetWorkGroup",
      "athena:StartQueryExecution",
      "athena:StopQueryExecution",
    ]
    resources = ["${local.arn_prefix}:athena:${local.region}:${local.account_id}:workgroup/${var.athena_workgroup_name}"]
  }

  statement {
    sid     = "ReadTableMetadata"
    actions = ["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"]
    resources = [
      "${local.glue_resource}:catalog",
      "${local.glue_resource}:database/${var.glue_database_name}",
      "${local.glue_resource}:table/${var.glue_database_name}/${var.table_name}",
    ]
  }

  statement {
    sid       = "LocateBucket"
    actions   = ["s3:GetBucketLocation"]
    resources = [local.bucket_arn]
  }

  statement {
    sid       = "ListDataAndResults"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.data_prefix}*", "${var.athena_results_prefix}*"]
    }
  }

  statement {
    sid       = "ReadData"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/${var.data_prefix}*"]
  }

  statement {
    sid       = "WriteQueryResults"
    actions   = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"]
    resources = ["${local.bucket_arn}/${var.athena_results_prefix}*"]
  }

  dynamic "statement" {
    for_each = var.bucket_kms_key_arn == null ? [] : [var.bucket_kms_key_arn]
    content {
      sid       = "UseBucketKeyThroughS3"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }
    }
  }
}

# --- The data source's own role (create_data_source_role) ------------------------------------------

data "aws_iam_policy_document" "data_source_trust" {
  statement {
    sid     = "QuickSightOfThisAccount"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["quicksight.amazonaws.com"]
    }
    condition { # confused-deputy guard: QuickSight acting for this account only
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "data_source" {
  count = var.create_data_source_role ? 1 : 0

  name                 = local.role_name
  description          = "Runs the Athena queries of the QuickSight data source ${local.data_source_id} (and nothing else)."
  assume_role_policy   = data.aws_iam_policy_document.data_source_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "data_source" {
  count = var.create_data_source_role ? 1 : 0

  name   = "athena-data"
  role   = aws_iam_role.data_source[0].id
  policy = data.aws_iam_policy_document.data_access.json
}

# --- Or: QuickSight's account-wide service role ----------------------------------------------------

resource "aws_iam_role_policy" "service_role" {
  count = !var.create_data_source_role && var.attach_service_role_policy ? 1 : 0

  name   = "${var.name_prefix}-athena-data"
  role   = var.service_role_name
  policy = data.aws_iam_policy_document.data_access.json
}
