locals {
  account_id    = data.aws_caller_identity.current.account_id
  arn_prefix    = "arn:${data.aws_partition.current.partition}"
  region        = data.aws_region.current.name
  bucket_arn    = "${local.arn_prefix}:s3:::${var.bucket_name}"
  glue_resource = "${local.arn_prefix}:glue:${local.region}:${local.account_id}"
}

# QuickSight's service role runs the Athena queries: it needs the workgroup, the table's metadata, the
# data below its prefix, the results folder, and the bucket key through S3. Nothing else.
data "aws_iam_policy_document" "service_role" {
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
    sid       = "ListDataAndResults"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket"]
    resources = [local.bucket_arn]
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

resource "aws_iam_role_policy" "service_role" {
  count = var.attach_service_role_policy ? 1 : 0

  name   = "${var.name_prefix}-athena-data"
  role   = var.service_role_name
  policy = data.aws_iam_policy_document.service_role.json
}
