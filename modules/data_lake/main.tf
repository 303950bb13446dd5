locals {
  create_kms_key = var.sse_algorithm == "aws:kms" && var.kms_key_arn == null
  kms_key_arn    = var.sse_algorithm == "aws:kms" ? coalesce(var.kms_key_arn, try(module.kms_key[0].arn, null)) : null
  # Built from the name so the bucket policy is known at plan time and reviewable.
  bucket_arn         = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"
  upload_rule_exempt = length(var.upload_encryption_exempt_prefixes) > 0
}

data "aws_partition" "current" {}

# Each consumer (Firehose, Athena, Lambda) is granted exactly what its role allows: the key policy delegates to IAM.
module "kms_key" {
  source = "../kms_key"
  count  = local.create_kms_key ? 1 : 0

  description             = "Encrypts objects in s3://${var.bucket_name}"
  alias                   = var.bucket_name
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

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:Cross-region replication is a disaster-recovery choice, not a default: it needs a second region's bucket and key and doubles storage. The lake is rebuilt from its sources (stream retention, producers); versioning with noncurrent-version expiry covers bad writes and deletes.
  #checkov:skip=CKV2_AWS_62:No consumer reacts to object events: Athena finds new hours by partition projection and compaction runs on a schedule. A notification needs a destination, which would be an unused queue or topic.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced" # ACLs off: the bucket policy and IAM decide access
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.sse_algorithm
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = var.sse_algorithm == "aws:kms" # fewer KMS calls for Firehose's many small objects
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = var.enable_versioning ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  dynamic "rule" {
    for_each = var.expiration_rules
    content {
      id     = rule.value.id
      status = "Enabled"
      filter {
        prefix = rule.value.prefix
      }
      expiration {
        days = rule.value.days
      }
      # Every rule cleans up its own unfinished uploads too (the housekeeping rule covers the rest of the bucket).
      abort_incomplete_multipart_upload {
        days_after_initiation = var.abort_incomplete_multipart_upload_days
      }
    }
  }

  rule {
    id     = "housekeeping"
    status = "Enabled"
    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }

    dynamic "noncurrent_version_expiration" {
      for_each = var.noncurrent_version_expiration_days == null ? [] : [var.noncurrent_version_expiration_days]
      content {
        noncurrent_days = noncurrent_version_expiration.value
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "this" {
  count = var.access_log_bucket == null ? 0 : 1

  bucket        = aws_s3_bucket.this.id
  target_bucket = var.access_log_bucket
  target_prefix = coalesce(var.access_log_prefix, "s3-access/${var.bucket_name}/")
}

data "aws_iam_policy_document" "bucket" {
  source_policy_documents = var.policy_documents

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      local.bucket_arn,
      "${local.bucket_arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid     = "DenyOutdatedTls"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      local.bucket_arn,
      "${local.bucket_arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }

  # Uploads must ask for the bucket's encryption themselves: the default encryption would encrypt them anyway,
  # but with whatever key the writer names, and a writer naming none would not be noticed. A condition key
  # absent from the request makes StringNotEquals true, so a PutObject without the headers is denied too.
  # Prefixes in upload_encryption_exempt_prefixes (written by an AWS service that sends no encryption headers,
  # e.g. Lambda's on-failure destination) are left out with not_resources: the default encryption covers them.
  dynamic "statement" {
    for_each = var.enforce_upload_encryption ? [var.sse_algorithm] : []
    content {
      sid           = "DenyUploadsWithoutBucketEncryption"
      effect        = "Deny"
      actions       = ["s3:PutObject"]
      resources     = local.upload_rule_exempt ? null : ["${local.bucket_arn}/*"]
      not_resources = local.upload_rule_exempt ? [for p in var.upload_encryption_exempt_prefixes : "${local.bucket_arn}/${p}*"] : null
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      condition {
        test     = "StringNotEquals"
        variable = "s3:x-amz-server-side-encryption"
        values   = [statement.value]
      }
    }
  }

  dynamic "statement" {
    for_each = var.enforce_upload_encryption && local.kms_key_arn != null ? [local.kms_key_arn] : []
    content {
      sid           = "DenyUploadsWithAnotherKmsKey"
      effect        = "Deny"
      actions       = ["s3:PutObject"]
      resources     = local.upload_rule_exempt ? null : ["${local.bucket_arn}/*"]
      not_resources = local.upload_rule_exempt ? [for p in var.upload_encryption_exempt_prefixes : "${local.bucket_arn}/${p}*"] : null
      principals {
        type        = "*"
        identifiers = ["*"]
      }
      condition { # the key's ARN, as S3 requires it in this condition (not its id or an alias)
        test     = "StringNotEquals"
        variable = "s3:x-amz-server-side-encryption-aws-kms-key-id"
        values   = [statement.value]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json

  # A policy written before the public access block could be judged public and rejected.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
