# Glue Data Catalog encryption (enable_glue_catalog_encryption; off by default). The setting is account-wide:
# one per account and region, for every database in it, not only this stack's. Once on, every principal that
# reads the catalog (Athena users, QuickSight, crawlers, other stacks) needs kms:Decrypt on the catalog key
# through Glue, and every writer kms:Encrypt and kms:GenerateDataKey. This file grants it to the stack's own
# roles that call Glue; docs/security.md lists the rest. Turn it on from one stack per account and region only:
# two stacks would overwrite each other's setting.

locals {
  encrypt_catalog    = var.enable_glue_catalog_encryption
  create_catalog_key = local.encrypt_catalog && var.glue_catalog_kms_key_arn == null
  catalog_key_arn    = local.encrypt_catalog ? coalesce(var.glue_catalog_kms_key_arn, try(module.catalog_key[0].arn, null)) : null

  # The stack's roles that call Glue: the compaction (Athena CTAS, partitions) and Firehose's format conversion.
  catalog_key_users = local.encrypt_catalog ? merge(
    var.enable_parquet_conversion ? {} : { compaction = module.compaction_lambda[0].role_name },
    local.is_parquet_delivery ? { firehose = element(split("/", module.firehose.role_arn), 1) } : {},
  ) : {}
}

# Glue encrypts with the caller's identity (not a service principal of its own): IAM policies decide who uses it.
module "catalog_key" {
  source = "../modules/kms_key"
  count  = local.create_catalog_key ? 1 : 0

  description = "Encrypts the Glue Data Catalog (metadata and connection passwords) of this account in ${local.region}"
  alias       = "${var.name_prefix}-glue-catalog"
  tags        = local.tags
}

resource "aws_glue_data_catalog_encryption_settings" "this" {
  count = local.encrypt_catalog ? 1 : 0

  data_catalog_encryption_settings {
    encryption_at_rest {
      catalog_encryption_mode = "SSE-KMS"
      sse_aws_kms_key_id      = local.catalog_key_arn
    }

    connection_password_encryption {
      return_connection_password_encrypted = true
      aws_kms_key_id                       = local.catalog_key_arn
    }
  }
}

data "aws_iam_policy_document" "catalog_key" {
  count = local.encrypt_catalog ? 1 : 0

  statement {
    sid       = "UseCatalogKeyThroughGlue"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [local.catalog_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["glue.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "catalog_key" {
  for_each = local.catalog_key_users

  name   = "glue-catalog-key"
  role   = each.value
  policy = data.aws_iam_policy_document.catalog_key[0].json
}
