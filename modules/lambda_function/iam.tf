data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumesRole"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "Execution role of the ${var.name} Lambda function."
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  max_session_duration = 3600
  tags                 = var.tags
}

# What the module's own features need; the function's code gets var.policy_json (inline policy "function").
data "aws_iam_policy_document" "module" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_arn}:*"]
  }

  dynamic "statement" {
    for_each = local.is_kinesis_source ? [var.kinesis_event_source.stream_arn] : []
    content {
      sid = "ReadSourceStream"
      actions = [
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
      ]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = local.is_kinesis_source && try(var.kinesis_event_source.stream_kms_key_arn, null) != null ? [var.kinesis_event_source.stream_kms_key_arn] : []
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
    for_each = local.create_dlq ? [local.dlq_arn] : []
    content {
      sid       = "SendToDeadLetterQueue"
      actions   = ["sqs:SendMessage"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = local.create_dlq && var.dead_letter_queue_kms_key_arn != null ? [var.dead_letter_queue_kms_key_arn] : []
    content {
      sid       = "EncryptDeadLetters"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sqs.${local.region}.amazonaws.com"]
      }
    }
  }

  # The mapping writes failed batches with the function's role (AWS: s3:PutObject and s3:ListBucket, and
  # kms:GenerateDataKey for a bucket with a customer managed key). s3:ResourceAccount keeps the writes in this
  # account even if the bucket is ever deleted and its name taken by another account.
  dynamic "statement" {
    for_each = local.keeps_failed ? [var.kinesis_failure_bucket.arn] : []
    content {
      sid       = "KeepFailedBatches"
      actions   = ["s3:PutObject"]
      resources = ["${statement.value}/${local.failed_batch_prefix}*"]
      condition {
        test     = "StringEquals"
        variable = "s3:ResourceAccount"
        values   = [local.account_id]
      }
    }
  }

  dynamic "statement" {
    for_each = local.keeps_failed ? [var.kinesis_failure_bucket.arn] : []
    content {
      sid = "CheckFailureBucket"
      # Lambda lists the bucket to check the destination; AWS does not document with which prefix, so the
      # statement names the bucket without an s3:prefix condition (listing shows keys, not objects' content).
      actions   = ["s3:ListBucket"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "s3:ResourceAccount"
        values   = [local.account_id]
      }
    }
  }

  dynamic "statement" {
    for_each = local.keeps_failed && try(var.kinesis_failure_bucket.kms_key_arn, null) != null ? [var.kinesis_failure_bucket.kms_key_arn] : []
    content {
      sid       = "EncryptFailedBatches"
      actions   = ["kms:GenerateDataKey"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = local.is_vpc ? [true] : []
    content {
      sid = "ManageVpcNetworkInterfaces"
      actions = [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ]
      # Not a data resource: the ENIs Lambda creates have IDs unknown in advance, and
      # ec2:Describe* supports no resource-level permissions (same as AWSLambdaVPCAccessExecutionRole).
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.tracing_mode == "Active" ? [true] : []
    content {
      sid     = "WriteTraces"
      actions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      # Not a data resource: X-Ray's write actions support no resource-level permissions.
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "module" {
  name   = "module"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.module.json
}

resource "aws_iam_role_policy" "function" {
  count = var.attach_policy_json ? 1 : 0 # a flag, not policy_json != null: the JSON may be unknown until apply

  name   = "function"
  role   = aws_iam_role.this.id
  policy = var.policy_json
}
