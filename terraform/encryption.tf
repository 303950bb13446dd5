# Customer managed keys of the stack. Every store is encrypted at rest with KMS:
#
# | key                                   | encrypts                                            | created by                |
# |---------------------------------------|-----------------------------------------------------|---------------------------|
# | alias/<bucket>                        | the lake's objects, Athena results, Direct PUT      | modules/data_lake         |
# | alias/kinesis-<stream>                | the stream's records                                | modules/kinesis_stream    |
# | alias/opensearch-<domain>             | the domain's data (and an internal master's secret) | modules/opensearch        |
# | alias/<name_prefix>-alarms            | the alarm topic                                     | modules/alarms            |
# | alias/<name_prefix>-operations (here) | every log group and dead-letter queue of the stack  | this file                 |
# | alias/<name_prefix>-glue-catalog      | the account's Glue Data Catalog (an option, off)    | catalog_encryption.tf     |
#
# Each is made by modules/kms_key (rotation, AWS's default key policy, service statements narrowed by conditions).
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

# CloudWatch Logs encrypts with its own identity (AWS's documented statement, with explicit actions), and only for
# the log groups of this stack: the encryption context names the log group.
module "operations_key" {
  source = "../modules/kms_key"

  description = "Encrypts the log groups and dead-letter queues of the ${var.name_prefix} pipeline"
  alias       = "${var.name_prefix}-operations"
  tags        = local.tags
  service_statements = [{
    sid     = "CloudWatchLogsEncryptsTheStackLogGroups"
    service = "logs.${local.region}.amazonaws.com" # on resource "*": in a key policy, this key only
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    conditions = [{
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [for name in local.encrypted_log_groups : "${local.log_group_arn_prefix}${name}"]
    }]
  }]
}

moved {
  from = aws_kms_key.operations
  to   = module.operations_key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.operations
  to   = module.operations_key.aws_kms_alias.this
}
