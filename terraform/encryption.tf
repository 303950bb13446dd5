# Customer managed keys of the stack. Every store is encrypted at rest with KMS:
#
# | key                                   | encrypts                                            | created by                |
# |---------------------------------------|-----------------------------------------------------|---------------------------|
# | alias/<bucket>                        | the lake's objects, Athena results, Direct PUT      | modules/data_lake         |
# | alias/kinesis-<stream>                | the stream's records                                | modules/kinesis_stream    |
# | alias/opensearch-<domain>             | the domain's data (and an internal master's secret) | modules/opensearch        |
# | alias/<name_prefix>-alarms            | the alarm topic                                     | modules/alarms            |
# | alias/<name_prefix>-operations (here) | every log group and dead-letter queue of the stack  | this file                 |
#
# One key per concern: a principal allowed to read the logs or the dead letters is not thereby allowed to read
# the lake or the stream, and each key can be disabled or scheduled for deletion on its own.
# The stream has its own key rather than the lake's so that the stream's consumers (Firehose, the ingest
# function) need no permission on the lake key, and the lake's readers none on the stream key.

locals {
  # The log groups the stack creates, as CloudWatch Logs names them in the encryption context.
  log_group_arn_prefix = "${local.arn_prefix}:logs:${local.region}:${local.account_id}:log-group:"
  encrypted_log_groups = concat(
    ["/aws/kinesisfirehose/${local.firehose_name}"],
    var.enable_parquet_conversion ? [] : ["/aws/lambda/${local.compaction_function_name}"],
    local.create_ingest ? ["/aws/lambda/${local.ingest_function_name}"] : [],
    local.create_bootstrap ? ["/aws/lambda/${local.bootstrap_function_name}"] : [],
    var.enable_opensearch ? ["/aws/opensearch/${local.opensearch_domain_name}/*"] : [],
  )
}

data "aws_iam_policy_document" "operations_key" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" is this key only; the first statement is AWS's default key policy, which delegates every use of the key to the account's IAM policies (without it the key becomes unmanageable).
  #checkov:skip=CKV_AWS_111:Same statement: Resource "*" in a key policy means this key, and only IAM policies of this account, or CloudWatch Logs for this stack's log groups, can use it.
  #checkov:skip=CKV_AWS_356:In a key policy "*" cannot name any resource other than the key the policy is attached to.
  statement {
    sid       = "AccountAdministersKeyThroughIam"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" means this key
    principals {
      type        = "AWS"
      identifiers = ["${local.arn_prefix}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch Logs encrypts with its own identity (AWS's documented statement, with explicit actions), and only
  # for the log groups of this stack: the encryption context names the log group.
  statement {
    sid = "CloudWatchLogsEncryptsTheStackLogGroups"
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    resources = ["*"] # in a key policy, "*" means this key
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [for name in local.encrypted_log_groups : "${local.log_group_arn_prefix}${name}"]
    }
  }
}

resource "aws_kms_key" "operations" {
  description             = "Encrypts the log groups and dead-letter queues of the ${var.name_prefix} pipeline"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.operations_key.json
  tags                    = local.tags
}

resource "aws_kms_alias" "operations" {
  name          = "alias/${var.name_prefix}-operations"
  target_key_id = aws_kms_key.operations.key_id
}
