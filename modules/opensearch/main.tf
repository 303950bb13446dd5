locals {
  is_vpc            = var.vpc != null
  is_iam_master     = var.master_user_mode == "iam"
  create_master     = local.is_iam_master && var.master_user_arn == null
  create_kms_key    = var.kms_key_arn == null
  is_zone_aware     = var.zone_awareness_az_count != null
  kms_key_arn       = local.create_kms_key ? module.kms_key[0].arn : var.kms_key_arn
  master_role_name  = "${var.domain_name}-opensearch-master"
  master_user_arn   = local.is_iam_master ? coalesce(var.master_user_arn, "${local.arn_prefix}:iam::${local.account_id}:role/${local.master_role_name}") : null
  trusted_for_admin = length(var.master_role_trusted_principal_arns) > 0 ? var.master_role_trusted_principal_arns : [data.aws_iam_session_context.current.issuer_arn]

  # ARNs built from names, so the access and log policies are known (and reviewable) at plan time.
  account_id = data.aws_caller_identity.current.account_id
  arn_prefix = "arn:${data.aws_partition.current.partition}"
  region     = data.aws_region.current.name
  domain_arn = "${local.arn_prefix}:es:${local.region}:${local.account_id}:domain/${var.domain_name}"
  # The access policy names its IAM principals (the master, the ingest and bootstrap roles). Internal users sign
  # in with a password, which IAM cannot see: with an internal master a second statement admits every caller and
  # fine-grained access control (HTTPS only, users and roles of the security plugin) authenticates them, as AWS
  # documents; the network must then be narrow: the domain's VPC security group, or the allowed IP ranges.
  named_principals = distinct(concat(local.is_iam_master ? [local.master_user_arn] : [], var.access_principal_arns))
  # Trusted principals are matched by aws:PrincipalArn under their account's root: the trust policy is valid
  # before the roles it names exist (a role created later in the same apply), and a role deleted and recreated
  # under the same name is trusted again, which a principal element would not do (it keeps the old role's id).
  trusted_accounts = distinct([for arn in local.trusted_for_admin : "arn:${split(":", arn)[1]}:iam::${split(":", arn)[4]}:root"])
  log_groups       = { for t in var.log_types : t => "/aws/opensearch/${var.domain_name}/${lower(replace(t, "_", "-"))}" }
  http_actions     = ["es:ESHttpDelete", "es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPatch", "es:ESHttpPost", "es:ESHttpPut"]
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# The role behind the identity running Terraform (a session ARN is not a valid trust principal).
data "aws_iam_session_context" "current" {
  arn = data.aws_caller_identity.current.arn
}

# --- Encryption key ------------------------------------------------------------------------------

# OpenSearch and Secrets Manager use the key on behalf of the principals that call them: the policy delegates to IAM.
module "kms_key" {
  source = "../kms_key"
  count  = local.create_kms_key ? 1 : 0

  description             = "Encrypts the OpenSearch domain ${var.domain_name} at rest"
  alias                   = "opensearch-${var.domain_name}"
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

# --- Logs ----------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  for_each = local.log_groups

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "logs" {
  count = length(local.log_groups) > 0 ? 1 : 0

  statement {
    sid       = "OpenSearchPublishesDomainLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for name in values(local.log_groups) : "${local.arn_prefix}:logs:${local.region}:${local.account_id}:log-group:${name}:*"]
    principals {
      type        = "Service"
      identifiers = ["es.amazonaws.com"]
    }
    condition { # confused-deputy guard: only this domain of this account
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.domain_arn]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "this" {
  count = length(local.log_groups) > 0 ? 1 : 0

  policy_name     = "opensearch-${var.domain_name}-logs"
  policy_document = data.aws_iam_policy_document.logs[0].json
}

# --- Master user ---------------------------------------------------------------------------------

data "aws_iam_policy_document" "master_assume_role" {
  count = local.create_master ? 1 : 0

  statement {
    sid     = "TrustedAdminsAssumeMasterRole"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = local.trusted_accounts
    }
    condition { # only these roles or users, not every principal of their accounts
      test     = "ArnEquals"
      variable = "aws:PrincipalArn"
      values   = local.trusted_for_admin
    }
  }
}

# No IAM policy of its own: the domain access policy admits it, and fine-grained access control makes it
# the security admin (all_access and security_manager) inside OpenSearch.
resource "aws_iam_role" "master" {
  count = local.create_master ? 1 : 0

  name               = local.master_role_name
  description        = "Fine-grained access control master of the OpenSearch domain ${var.domain_name}."
  assume_role_policy = data.aws_iam_policy_document.master_assume_role[0].json
  tags               = var.tags
}

# The internal master's password: generated without ever entering Terraform state for the secret
# (ephemeral resource + write-only argument). The domain's own master_user_password has no
# write-only variant in provider 5.100, so the domain (and the data source below) keep it in state,
# marked sensitive: prefer master_user_mode = "iam".
ephemeral "aws_secretsmanager_random_password" "master" {
  count = local.is_iam_master ? 0 : 1

  password_length            = 32
  require_each_included_type = true         # OpenSearch wants upper, lower, digit and special characters
  exclude_characters         = "\"'\\/@:` " # keeps the password safe in JSON, URLs and shells
}

resource "aws_secretsmanager_secret" "master" {
  #checkov:skip=CKV2_AWS_57:Automatic rotation would change the secret without changing the domain's master password and lock administrators out; the password is rotated by Terraform, which regenerates secret and domain together when master_user_password_version changes. The default IAM master mode has no secret at all.
  count = local.is_iam_master ? 0 : 1

  name                    = "opensearch/${var.domain_name}/master-user"
  description             = "Master user of the OpenSearch domain ${var.domain_name} (JSON: username, password)."
  kms_key_id              = local.kms_key_arn
  recovery_window_in_days = 7
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "master" {
  count = local.is_iam_master ? 0 : 1

  secret_id = aws_secretsmanager_secret.master[0].id
  secret_string_wo = jsonencode({
    username = var.internal_master_user_name
    password = ephemeral.aws_secretsmanager_random_password.master[0].random_password
  })
  secret_string_wo_version = var.master_user_password_version
}

data "aws_secretsmanager_secret_version" "master" {
  count = local.is_iam_master ? 0 : 1

  secret_id  = aws_secretsmanager_secret.master[0].id
  version_id = aws_secretsmanager_secret_version.master[0].version_id
}

# --- Network -------------------------------------------------------------------------------------

resource "aws_iam_service_linked_role" "this" {
  count = local.is_vpc && var.create_service_linked_role ? 1 : 0

  aws_service_name = "opensearchservice.amazonaws.com"
  description      = "Lets OpenSearch Service manage network interfaces of VPC domains."
}

resource "aws_security_group" "this" {
  count = local.is_vpc ? 1 : 0

  name        = "${var.domain_name}-opensearch"
  description = "HTTPS to the OpenSearch domain ${var.domain_name} from allowed networks only."
  vpc_id      = var.vpc.vpc_id
  tags        = var.tags
  # No egress rule: the domain answers requests and never opens connections of its own.
}

resource "aws_vpc_security_group_ingress_rule" "cidr" {
  for_each = local.is_vpc ? toset(var.vpc.allowed_cidr_blocks) : toset([])

  security_group_id = aws_security_group.this[0].id
  description       = "HTTPS from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
  tags              = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "security_group" {
  for_each = local.is_vpc ? toset(var.vpc.allowed_security_group_ids) : toset([])

  security_group_id            = aws_security_group.this[0].id
  description                  = "HTTPS from ${each.value}"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = each.value
  tags                         = var.tags
}

# --- Domain --------------------------------------------------------------------------------------

data "aws_iam_policy_document" "access" {
  dynamic "statement" {
    for_each = length(local.named_principals) > 0 ? [local.named_principals] : []
    content {
      sid       = "AllowedPrincipalsSendHttpRequests"
      actions   = local.http_actions
      resources = ["${local.domain_arn}/*"]
      principals {
        type        = "AWS"
        identifiers = statement.value
      }
    }
  }

  # Internal users (password sign-in): every caller reaches fine-grained access control, from the VPC (its
  # security group decides who) or from the allowed IP ranges of a public domain.
  dynamic "statement" {
    for_each = local.is_iam_master ? [] : [true]
    content {
      sid       = "InternalUsersSignInFromAllowedNetworks"
      actions   = local.http_actions
      resources = ["${local.domain_arn}/*"]
      principals {
        type        = "AWS"
        identifiers = ["*"]
      }
      dynamic "condition" {
        for_each = local.is_vpc ? [] : [var.allowed_ip_cidrs]
        content {
          test     = "IpAddress"
          variable = "aws:SourceIp"
          values   = condition.value
        }
      }
    }
  }
}

resource "aws_opensearch_domain" "this" {
  #checkov:skip=CKV_AWS_318:Availability, not security: dedicated master nodes are sized per deployment (variable dedicated_master, e.g. three for production); the default is the lab's single small data node.
  #checkov:skip=CKV2_AWS_59:Same as CKV_AWS_318: set dedicated_master for production clusters; a one-node lab domain gains nothing from a separate master.
  domain_name     = var.domain_name
  engine_version  = var.engine_version
  access_policies = data.aws_iam_policy_document.access.json
  tags            = var.tags

  cluster_config {
    instance_type            = var.instance_type
    instance_count           = var.instance_count
    dedicated_master_enabled = var.dedicated_master != null
    dedicated_master_type    = try(var.dedicated_master.instance_type, null)
    dedicated_master_count   = try(var.dedicated_master.count, null)
    zone_awareness_enabled   = local.is_zone_aware

    dynamic "zone_awareness_config" {
      for_each = local.is_zone_aware ? [var.zone_awareness_az_count] : []
      content {
        availability_zone_count = zone_awareness_config.value
      }
    }
  }

  ebs_options {
    ebs_enabled = true
    volume_type = "gp3"
    volume_size = var.ebs_volume_size
    iops        = var.ebs_iops
    throughput  = var.ebs_throughput
  }

  encrypt_at_rest {
    enabled    = true
    kms_key_id = local.kms_key_arn
  }

  node_to_node_encryption {
    enabled = true
  }

  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = var.tls_security_policy
  }

  advanced_security_options {
    enabled                        = true
    anonymous_auth_enabled         = false
    internal_user_database_enabled = !local.is_iam_master

    master_user_options {
      master_user_arn      = local.master_user_arn
      master_user_name     = local.is_iam_master ? null : var.internal_master_user_name
      master_user_password = local.is_iam_master ? null : jsondecode(data.aws_secretsmanager_secret_version.master[0].secret_string).password
    }
  }

  # Audit logs are always published (log_types must hold AUDIT_LOGS); the bootstrap switches audit logging on in
  # the security plugin, which writes nothing until then (lambda_src/opensearch_bootstrap).
  log_publishing_options {
    log_type                 = "AUDIT_LOGS"
    cloudwatch_log_group_arn = aws_cloudwatch_log_group.this["AUDIT_LOGS"].arn
    enabled                  = true
  }

  dynamic "log_publishing_options" {
    for_each = { for type, name in local.log_groups : type => name if type != "AUDIT_LOGS" }
    content {
      log_type                 = log_publishing_options.key
      cloudwatch_log_group_arn = aws_cloudwatch_log_group.this[log_publishing_options.key].arn
      enabled                  = true
    }
  }

  software_update_options {
    auto_software_update_enabled = var.auto_software_update
  }

  dynamic "vpc_options" {
    for_each = local.is_vpc ? [var.vpc] : []
    content {
      subnet_ids         = vpc_options.value.subnet_ids
      security_group_ids = [aws_security_group.this[0].id]
    }
  }

  # The master role is named in the policies by its ARN (known at plan): it must exist before the domain.
  depends_on = [aws_cloudwatch_log_resource_policy.this, aws_iam_service_linked_role.this, aws_iam_role.master]
}
