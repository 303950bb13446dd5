# The OpenSearch domain the ingest Lambda feeds (enable_opensearch; off in env/local.tfvars), and the bootstrap
# that replaces the lab's manual steps after the domain exists: index template, ISM rollover/retention, the
# ingest role's fine-grained-access role mapping, audit logging and the Dashboards saved objects. The bootstrap is
# a Lambda (lambda_src/opensearch_bootstrap) invoked on every apply that changes its code or its input; it signs
# as the domain's master role, and it is idempotent (a re-run reports everything "already in place").
#
# The admin path is narrow: the master role trusts the bootstrap's role and, when given, one administrator role
# (the identity running Terraform only with opensearch_master_trusts_terraform_caller), and the bootstrap assumes
# it with a session policy that allows exactly the requests it sends (bootstrap_requests below). Network: a VPC
# domain (opensearch_vpc, network.tf) is reached only from the two functions' security group and the listed CIDRs.

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
  # The session policy's ARN from its name too, so the bootstrap's input (and what it will do) shows in the plan.
  bootstrap_session_policy_name = "${local.bootstrap_function_name}-session"
  bootstrap_session_policy_arn  = "${local.arn_prefix}:iam::${local.account_id}:policy/${local.bootstrap_session_policy_name}"

  # Who may become the master: the bootstrap, the named administrator role, the identity running Terraform on
  # request. Never empty when the stack creates the master role (a validation of opensearch_admin_role_arn).
  master_role_trusted = compact([
    local.create_bootstrap ? local.bootstrap_role_arn : "",
    coalesce(var.opensearch_admin_role_arn, "-") == "-" ? "" : var.opensearch_admin_role_arn,
    var.opensearch_master_trusts_terraform_caller ? data.aws_iam_session_context.current.issuer_arn : "",
  ])
  # The bootstrap signs as itself only when it does not assume a master role the stack created.
  bootstrap_signs_itself = local.create_bootstrap && !local.opensearch_master_is_new

  # Every request the bootstrap sends, by method, with the names this stack gives it (the bootstrap's defaults for
  # the template, ISM policy and role; the stack's index): lambda_src/opensearch_bootstrap/resources.py
  # api_requests, which tests/terraform/test_security_baseline.py compares with this list.
  bootstrap_requests = {
    Get = [
      "/", "/_cat/plugins", "/_index_template/retail", "/_plugins/_ism/policies/retail-rollover-retention",
      "/_alias/${var.opensearch_index}", "/${var.opensearch_index}",
      "/_plugins/_security/api/roles/retail_ingest", "/_plugins/_security/api/rolesmapping/retail_ingest",
      "/_plugins/_security/api/audit",
    ]
    Put = [
      "/_index_template/retail", "/_plugins/_ism/policies/retail-rollover-retention", "/${var.opensearch_index}-000001",
      "/_plugins/_security/api/roles/retail_ingest", "/_plugins/_security/api/rolesmapping/retail_ingest",
      "/_plugins/_security/api/audit/config",
    ]
    Post = ["/_dashboards/api/saved_objects/_bulk_get", "/_dashboards/api/saved_objects/_import"]
  }
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
  allowed_ip_cidrs        = var.opensearch_allowed_ip_cidrs

  # The ingest function writes; the bootstrap administers as the master role (it signs as itself only with a
  # master_user_arn of yours).
  access_principal_arns              = compact([local.ingest_role_arn, local.bootstrap_signs_itself ? local.bootstrap_role_arn : ""])
  master_role_trusted_principal_arns = local.master_role_trusted

  vpc = local.is_opensearch_vpc ? {
    vpc_id              = var.opensearch_vpc.vpc_id
    subnet_ids          = var.opensearch_vpc.subnet_ids
    allowed_cidr_blocks = var.opensearch_vpc.allowed_cidr_blocks
  } : null # the functions' security group is admitted in network.tf
  create_service_linked_role = try(var.opensearch_vpc.create_service_linked_role, false)

  tags = local.tags
}

# Exactly the bootstrap's requests: its own role's policy when it signs as itself, otherwise the session policy
# with which it assumes the master role (the master may do anything; its bootstrap session may do only these).
data "aws_iam_policy_document" "opensearch_bootstrap_requests" {
  count = local.create_bootstrap ? 1 : 0

  dynamic "statement" {
    for_each = local.bootstrap_requests
    content {
      sid       = "BootstrapSends${statement.key}"
      actions   = ["es:ESHttp${statement.key}"]
      resources = [for path in statement.value : "${local.opensearch_domain_arn}${path}"]
    }
  }
}

resource "aws_iam_policy" "opensearch_bootstrap_session" {
  count = local.create_bootstrap && local.opensearch_master_is_new ? 1 : 0

  name        = local.bootstrap_session_policy_name
  description = "Session policy of the OpenSearch bootstrap as master of ${local.opensearch_domain_name}: only the requests it sends."
  policy      = data.aws_iam_policy_document.opensearch_bootstrap_requests[0].json
  tags        = local.tags
}

data "aws_iam_policy_document" "opensearch_bootstrap" {
  count = local.create_bootstrap ? 1 : 0

  source_policy_documents = local.bootstrap_signs_itself ? [data.aws_iam_policy_document.opensearch_bootstrap_requests[0].json] : []

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
  filename           = "${path.module}/../dist/opensearch_bootstrap.zip"
  handler            = "opensearch_bootstrap.handler.lambda_handler"
  runtime            = "python3.12"
  timeout            = 120
  memory_size        = 256
  log_retention_days = var.lambda_log_retention_days
  log_kms_key_arn    = module.operations_key.arn

  attach_policy_json       = true
  policy_json              = data.aws_iam_policy_document.opensearch_bootstrap[0].json
  create_dead_letter_queue = false
  vpc_config               = local.function_vpc_config # network.tf: inside the domain's VPC, or null

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
    # The master session may send only the bootstrap's requests (a managed policy as session policy).
    session_policy_arn = local.opensearch_master_is_new ? local.bootstrap_session_policy_arn : null
    access_control     = "fine_grained"
    index              = var.opensearch_index
    retention_days     = var.opensearch_retention_days
    allow_http         = var.opensearch_allow_http
  })

  triggers = {
    code = filebase64sha256("${path.module}/../dist/opensearch_bootstrap.zip")
  }
  depends_on = [aws_iam_policy.opensearch_bootstrap_session] # its ARN is spelled out, so the input is known at plan
}
