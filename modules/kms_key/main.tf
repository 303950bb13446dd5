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

# AWS's default key policy: the account administers the key and delegates every use of it to IAM policies, so
# each consumer gets exactly what its role allows. Services that use the key with their own identity get a
# statement of their own, narrowed by conditions.
data "aws_iam_policy_document" "this" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" is this key only; the first statement is AWS's default key policy, which delegates every use of the key to the account's IAM policies (without it the key becomes unmanageable).
  #checkov:skip=CKV_AWS_111:Same statement: Resource "*" in a key policy means this key, and only IAM policies of this account, or the named services under their conditions, can use it.
  #checkov:skip=CKV_AWS_356:In a key policy "*" cannot name any resource other than the key the policy is attached to.
  statement {
    sid       = "AccountAdministersKeyThroughIam"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" means this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
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
