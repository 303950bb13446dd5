locals {
  is_provisioned = var.stream_mode == "PROVISIONED"
  create_kms_key = var.kms_key_id == null
  kms_key_id     = local.create_kms_key ? module.kms_key[0].arn : var.kms_key_id
  # Consumers are granted kms:Decrypt on a key ARN; an alias (alias/aws/kinesis, or a customer key's alias) gives none.
  kms_key_arn = local.create_kms_key ? module.kms_key[0].arn : (can(regex(":key/", var.kms_key_id)) ? var.kms_key_id : null)
}

# Producers (kms:GenerateDataKey) and consumers (kms:Decrypt, through Kinesis only) get exactly what their roles
# allow: the key policy delegates to IAM.
module "kms_key" {
  source = "../kms_key"
  count  = local.create_kms_key ? 1 : 0

  description             = "Encrypts the records of the Kinesis data stream ${var.name}"
  alias                   = "kinesis-${replace(var.name, ".", "-")}" # alias names allow no dots
  deletion_window_in_days = var.kms_deletion_window_days
  tags                    = var.tags
}

moved {
  from = aws_kms_key.this[0]
  to   = module.kms_key[0].aws_kms_key.this
}

moved {
  from = aws_kms_alias.this[0]
  to   = module.kms_key[0].aws_kms_alias.this
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
