locals {
  # Object ARNs end at the first !{...} expression: the role may write only under its two prefixes.
  data_objects  = "${var.bucket_arn}/${split("!{", var.prefix)[0]}*"
  error_objects = "${var.bucket_arn}/${split("!{", var.error_output_prefix)[0]}*"
  account_id    = data.aws_caller_identity.current.account_id
  arn_prefix    = "arn:${data.aws_partition.current.partition}"
  region        = data.aws_region.current.name
}

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "FirehoseAssumesRole"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com"]
    }
    condition { # confused-deputy guard: only Firehose acting for this account
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name_prefix        = substr("${var.name}-firehose-", 0, 38)
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  tags               = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "LocateBucket"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
    resources = [var.bucket_arn]
  }

  statement {
    sid       = "WriteUnderPrefixes"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"]
    resources = distinct([local.data_objects, local.error_objects])
  }

  statement {
    sid       = "WriteDeliveryErrors"
    actions   = ["logs:PutLogEvents"]
    resources = ["${local.arn_prefix}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}:log-stream:${local.log_stream_name}"]
  }

  dynamic "statement" {
    for_each = local.is_kinesis_source ? [var.kinesis_stream_arn] : []
    content {
      sid       = "ReadSourceStream"
      actions   = ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.kinesis_stream_kms_key_arn == null ? [] : [var.kinesis_stream_kms_key_arn]
    content {
      sid       = "DecryptSourceStream"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["kinesis.${local.region}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.bucket_kms_key_arn == null ? [] : [var.bucket_kms_key_arn]
    content {
      sid       = "EncryptObjects"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }
      condition { # this bucket only: its objects, or the bucket itself when S3 Bucket Keys are on (their context)
        test     = "StringLike"
        variable = "kms:EncryptionContext:aws:s3:arn"
        values   = [var.bucket_arn, "${var.bucket_arn}/*"]
      }
    }
  }

  dynamic "statement" {
    for_each = local.has_record_processor ? [var.record_processor_lambda_arn] : []
    content {
      sid       = "InvokeRecordProcessor"
      actions   = ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"]
      resources = [statement.value, "${statement.value}:*"]
    }
  }

  dynamic "statement" {
    for_each = local.is_parquet ? [var.parquet_conversion] : []
    content {
      sid     = "ReadConversionSchema"
      actions = ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"]
      resources = [
        "${local.arn_prefix}:glue:${local.region}:${local.account_id}:catalog",
        "${local.arn_prefix}:glue:${local.region}:${local.account_id}:database/${statement.value.database_name}",
        "${local.arn_prefix}:glue:${local.region}:${local.account_id}:table/${statement.value.database_name}/${statement.value.table_name}",
      ]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "delivery"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
