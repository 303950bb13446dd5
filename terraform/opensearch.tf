# The OpenSearch domain the ingest Lambda feeds (enable_opensearch; off in env/local.tfvars), and the bootstrap
# that replaces the lab's manual steps after the domain exists: index template, ISM rollover/retention, the
# ingest role's fine-grained-access role mapping and the Dashboards saved objects. The bootstrap is a Lambda
# (lambda_src/opensearch_bootstrap) invoked on every apply that changes its code or its input; it signs as the
# domain's master role, and it is idempotent (a re-run reports everything "already in place").

data "aws_iam_session_context" "current" {
  arn = data.aws_caller_identity.current.arn
}

locals {
  create_bootstrap         = var.enable_opensearch && var.enable_opensearch_bootstrap
  bootstrap_function_name  = "${var.name_prefix}-opensearch-bootstrap"
  opensearch_master_is_new = var.opensearch_master_user_mode == "iam" && var.opensearch_master_user_arn == null

  # Role ARNs from their names (the lambda_function module names a function's role after it), so the domain's
  # access policy and the master role's trust can name them without a dependency cycle.
  ingest_role_arn    = "${local.arn_prefix}:iam::${local.account_id}:role/${local.ingest_function_name}"
  bootstrap_role_arn = "${local.arn_prefix}:iam::${local.account_id}:role/${local.bootstrap_function_name}"
}

module "opensearch" {
  source = "../modules/opensearch"
  count  = var.enable_opensearch ? 1 : 0

  domain_name     = local.opensearch_domain_name
  engine_version  = var.opensearch_engine_version
  instance_type   = var.opensearch_instance_type
  instance_count  = var.opensearch_instance_count
  ebs_volume_size = var.opensearch_volume_size

  dedicated_master        = var.opensearch_dedicated_master
  zone_awareness_az_count = var.opensearch_zone_awareness_az_count
  master_user_mode        = var.opensearch_master_user_mode
  master_user_arn         = var.opensearch_master_user_arn
  log_kms_key_arn         = module.operations_key.arn

  # The ingest function writes, the bootstrap administers (as the master role, which it may assume).
  access_principal_arns = compact([local.ingest_role_arn, local.create_bootstrap ? local.bootstrap_role_arn : ""])
  master_role_trusted_principal_arns = compact([
    data.aws_iam_session_context.current.issuer_arn,
    local.create_bootstrap ? local.bootstrap_role_arn : "",
  ])
  tags = local.tags
}

data "aws_iam_policy_document" "opensearch_bootstrap" {
  count = local.create_bootstrap ? 1 : 0

  statement {
    sid       = "AdministerDomain"
    actions   = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"]
    resources = [local.opensearch_domain_arn, "${local.opensearch_domain_arn}/*"]
  }

  dynamic "statement" {
    for_each = local.opensearch_master_is_new ? [module.opensearch[0].master_user_arn] : []
    content {
      sid       = "SignAsMaster"
      actions   = ["sts:AssumeRole"]
      resources = [statement.value]
    }
  }
}

module "opensearch_bootstrap_lambda" {
  source = "../modules/lambda_function"
  count  = local.create_bootstrap ? 1 : 0

  name               = local.bootstrap_function_name
  description        = "Index template, ISM policy, role mapping and Dashboards objects of the ${local.opensearch_domain_name} domain."
  filename           = "${path.root}/../dist/opensearch_bootstrap.zip"
  handler            = "opensearch_bootstrap.handler.lambda_handler"
  runtime            = "python3.12"
  timeout            = 120
  memory_size        = 256
  log_retention_days = var.lambda_log_retention_days
  log_kms_key_arn    = module.operations_key.arn

  attach_policy_json       = true
  policy_json              = data.aws_iam_policy_document.opensearch_bootstrap[0].json
  create_dead_letter_queue = false

  environment_variables = {
    POWERTOOLS_SERVICE_NAME = "opensearch-bootstrap"
    LOG_LEVEL               = var.lambda_log_level
  }

  tags = local.tags
}

resource "aws_lambda_invocation" "opensearch_bootstrap" {
  count = local.create_bootstrap ? 1 : 0

  function_name   = module.opensearch_bootstrap_lambda[0].function_name
  lifecycle_scope = "CRUD" # runs on create and on every change of its input; the function ignores deletes
  input = jsonencode({
    endpoint        = coalesce(var.opensearch_bootstrap_endpoint, module.opensearch[0].endpoint_url)
    ingest_role_arn = local.ingest_role_arn
    master_role_arn = local.opensearch_master_is_new ? module.opensearch[0].master_user_arn : null
    access_control  = "fine_grained"
    index           = var.opensearch_index
    retention_days  = var.opensearch_retention_days
  })

  triggers = {
    code = filebase64sha256("${path.root}/../dist/opensearch_bootstrap.zip")
  }
}
