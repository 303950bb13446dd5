locals {
  is_provisioned = var.stream_mode == "PROVISIONED"
  create_kms_key = var.kms_key_id == null
  kms_key_id     = local.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_id
  # Consumers are granted kms:Decrypt on a key ARN; an alias (alias/aws/kinesis, or a customer key's alias) gives none.
  kms_key_arn = local.create_kms_key ? aws_kms_key.this[0].arn : (can(regex(":key/", var.kms_key_id)) ? var.kms_key_id : null)
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description             = "Encrypts the records of the Kinesis data stream ${var.name}"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.kms[0].json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/kinesis-${replace(var.name, ".", "-")}" # alias names allow no dots
  target_key_id = aws_kms_key.this[0].key_id
}

# The default key policy: the account administers the key and delegates its use to IAM policies, so producers
# (kms:GenerateDataKey) and consumers (kms:Decrypt, through Kinesis only) get exactly what their roles allow.
data "aws_iam_policy_document" "kms" {
  count = local.create_kms_key ? 1 : 0

  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" is this key only; the statement is AWS's default key policy, which delegates every use of the key to the account's IAM policies (without it the key becomes unmanageable).
  #checkov:skip=CKV_AWS_111:Same statement: Resource "*" in a key policy means this key, and only IAM policies of this account can use it.
  #checkov:skip=CKV_AWS_356:Same statement: in a key policy "*" cannot name any resource other than the key the policy is attached to.
  statement {
    sid       = "AccountAdministersKeyThroughIam"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" means this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_kinesis_stream" "this" {
  name                = var.name
  shard_count         = local.is_provisioned ? var.shard_count : null
  retention_period    = var.retention_period_hours
  shard_level_metrics = var.shard_level_metrics
  encryption_type     = "KMS"
  kms_key_id          = local.kms_key_id
  tags                = var.tags

  stream_mode_details {
    stream_mode = var.stream_mode
  }
}
