data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.this.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.alias}"
  target_key_id = aws_kms_key.this.key_id
}

locals {
  # What a key administrator may do: manage the key and its policy, never use it (no Encrypt, Decrypt, data keys,
  # and no CreateGrant, which could hand its use to anyone).
  administrator_actions = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
  ]
  # What a key user may do: encrypt and decrypt, never manage the key.
  user_actions = [
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
  ]
}

# AWS's default key policy: the account administers the key and delegates every use of it to IAM policies, so
# each consumer gets exactly what its role allows. Services that use the key with their own identity get a
# statement of their own, narrowed by conditions. With delegate_to_iam = false the account statement goes, and
# the key policy alone names who administers the key and who uses it (separation of duties).
data "aws_iam_policy_document" "this" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" is this key only; the first statement is AWS's default key policy, which delegates every use of the key to the account's IAM policies (without it the key becomes unmanageable).
  #checkov:skip=CKV_AWS_111:Same statement: Resource "*" in a key policy means this key, and only IAM policies of this account, or the named services under their conditions, can use it.
  #checkov:skip=CKV_AWS_356:In a key policy "*" cannot name any resource other than the key the policy is attached to.
  dynamic "statement" {
    for_each = var.delegate_to_iam ? ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"] : []

    content {
      sid       = "AccountAdministersKeyThroughIam"
      actions   = ["kms:*"]
      resources = ["*"] # in a key policy, "*" means this key
      principals {
        type        = "AWS"
        identifiers = [statement.value]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.key_administrator_arns) > 0 ? [var.key_administrator_arns] : []

    content {
      sid       = "KeyAdministratorsManageTheKey"
      actions   = local.administrator_actions
      resources = ["*"] # in a key policy, "*" means this key
      principals {
        type        = "AWS"
        identifiers = statement.value
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.key_user_arns) > 0 ? [var.key_user_arns] : []

    content {
      sid       = "KeyUsersUseTheKey"
      actions   = local.user_actions
      resources = ["*"] # in a key policy, "*" means this key
      principals {
        type        = "AWS"
        identifiers = statement.value
      }
    }
  }

  # Services that keep using the key for a user's resources (an encrypted domain, a Direct PUT delivery stream)
  # do it through grants: a user may create them for AWS resources only.
  dynamic "statement" {
    for_each = length(var.key_user_arns) > 0 ? [var.key_user_arns] : []

    content {
      sid       = "KeyUsersGrantToAwsServices"
      actions   = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
      resources = ["*"] # in a key policy, "*" means this key
      principals {
        type        = "AWS"
        identifiers = statement.value
      }
      condition {
        test     = "Bool"
        variable = "kms:GrantIsForAWSResource"
        values   = ["true"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.service_statements

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = ["*"] # in a key policy, "*" means this key
      principals {
        type        = "Service"
        identifiers = [statement.value.service]
      }
      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}
