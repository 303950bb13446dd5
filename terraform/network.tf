# OpenSearch in a VPC (opensearch_vpc; null keeps the public endpoint behind IAM and fine-grained access control).
#
# The domain gets its own security group (modules/opensearch) that admits HTTPS from the security group of the
# two functions that call it, and from opensearch_vpc.allowed_cidr_blocks (a VPN or bastion for Dashboards).
# The ingest and bootstrap functions run in the VPC; what they call besides the domain must be reachable
# without the internet, through interface endpoints (create_endpoints) or the VPC's own NAT:
#
# | function  | calls                            | endpoint   |
# |-----------|----------------------------------|------------|
# | ingest    | SQS SendMessageBatch (dead letters) | sqs     |
# | bootstrap | STS AssumeRole (the master role) | sts        |
#
# Not from the functions, so not needed here: Kinesis (the Lambda service polls the stream), CloudWatch Logs
# (the Lambda service ships the functions' output), an S3 or SQS on-failure destination (the Lambda service
# writes it), KMS (SQS encrypts dead letters with the operations key on the function's behalf).

locals {
  is_opensearch_vpc   = var.enable_opensearch && var.opensearch_vpc != null
  function_subnet_ids = local.is_opensearch_vpc ? coalesce(var.opensearch_vpc.function_subnet_ids, var.opensearch_vpc.subnet_ids) : []
  function_vpc_config = local.is_opensearch_vpc ? {
    subnet_ids         = local.function_subnet_ids
    security_group_ids = [aws_security_group.opensearch_clients[0].id]
  } : null

  vpc_endpoint_services = local.is_opensearch_vpc && try(var.opensearch_vpc.create_endpoints, false) ? toset(compact([
    local.create_ingest ? "sqs" : "",
    local.create_bootstrap && local.opensearch_master_is_new ? "sts" : "",
  ])) : toset([])
  create_vpc_endpoints = length(local.vpc_endpoint_services) > 0
}

resource "aws_security_group" "opensearch_clients" {
  #checkov:skip=CKV2_AWS_5:It is attached to the ingest and bootstrap functions through the lambda_function module's vpc_config (local.function_vpc_config), which checkov does not follow; tests/terraform/test_plan_opensearch_vpc.py asserts it on the plan.
  count = local.is_opensearch_vpc ? 1 : 0

  name        = "${var.name_prefix}-opensearch-clients"
  description = "The ingest and bootstrap functions: HTTPS out to the OpenSearch domain and the VPC endpoints only."
  vpc_id      = var.opensearch_vpc.vpc_id
  tags        = local.tags
}

resource "aws_vpc_security_group_egress_rule" "clients_to_domain" {
  count = local.is_opensearch_vpc ? 1 : 0

  security_group_id            = aws_security_group.opensearch_clients[0].id
  description                  = "HTTPS to the OpenSearch domain"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = module.opensearch[0].security_group_id
  tags                         = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "domain_from_clients" {
  count = local.is_opensearch_vpc ? 1 : 0

  security_group_id            = module.opensearch[0].security_group_id
  description                  = "HTTPS from the ingest and bootstrap functions"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.opensearch_clients[0].id
  tags                         = local.tags
}

resource "aws_security_group" "vpc_endpoints" {
  count = local.create_vpc_endpoints ? 1 : 0

  name        = "${var.name_prefix}-opensearch-endpoints"
  description = "Interface endpoints of the ingest and bootstrap functions: HTTPS from their security group only."
  vpc_id      = var.opensearch_vpc.vpc_id
  tags        = local.tags
  # No egress rule: an interface endpoint answers requests and opens no connection of its own.
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_clients" {
  count = local.create_vpc_endpoints ? 1 : 0

  security_group_id            = aws_security_group.vpc_endpoints[0].id
  description                  = "HTTPS from the ingest and bootstrap functions"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.opensearch_clients[0].id
  tags                         = local.tags
}

resource "aws_vpc_security_group_egress_rule" "clients_to_endpoints" {
  count = local.create_vpc_endpoints ? 1 : 0

  security_group_id            = aws_security_group.opensearch_clients[0].id
  description                  = "HTTPS to the SQS and STS interface endpoints"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.vpc_endpoints[0].id
  tags                         = local.tags
}

# Private DNS makes the services' usual names (sqs.<region>.amazonaws.com) resolve to the endpoints for the whole
# VPC: a VPC that already has such an endpoint must set create_endpoints = false (two cannot share the name).
resource "aws_vpc_endpoint" "opensearch_clients" {
  for_each = local.vpc_endpoint_services

  vpc_id              = var.opensearch_vpc.vpc_id
  service_name        = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = coalesce(var.opensearch_vpc.endpoint_subnet_ids, local.function_subnet_ids)
  security_group_ids  = [aws_security_group.vpc_endpoints[0].id]
  tags                = merge(local.tags, { Name = "${var.name_prefix}-${each.key}" })
}
