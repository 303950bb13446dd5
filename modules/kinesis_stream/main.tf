locals {
  is_provisioned = var.stream_mode == "PROVISIONED"
}

resource "aws_kinesis_stream" "this" {
  name                = var.name
  shard_count         = local.is_provisioned ? var.shard_count : null
  retention_period    = var.retention_period_hours
  shard_level_metrics = var.shard_level_metrics
  encryption_type     = "KMS"
  kms_key_id          = var.kms_key_id
  tags                = var.tags

  stream_mode_details {
    stream_mode = var.stream_mode
  }
}
