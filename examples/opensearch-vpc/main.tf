# The pipeline with its OpenSearch domain in a VPC: no public endpoint, the ingest and bootstrap functions inside
# the VPC, HTTPS to the domain from their security group only, and interface endpoints for what they call (SQS,
# STS), so the private subnets need no internet access at all. Without existing_network the example makes a
# minimal network (a VPC with two private subnets, no internet or NAT gateway); with it, the stack goes into yours.
#
#   terraform init && terraform apply -var opensearch_admin_role_arn=arn:aws:iam::<account>:role/<admins>
#
# Dashboards then answers only inside the VPC: reach it from admin_cidr_blocks (a VPN, a bastion) and sign in by
# assuming the master role (opensearch_admin_role_arn may). Planned by tests/terraform/test_plan_opensearch_vpc.py.

terraform {
  required_version = "~> 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region = var.aws_region
}

variable "aws_region" {
  description = "Region of the network and the stack. Null uses AWS_REGION or the profile's region."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prefix of every resource name (see terraform/variables.tf)."
  type        = string
  default     = "retail-vpc"
}

variable "vpc_cidr_block" {
  description = "Address range of the example's VPC; each private subnet takes a /24 of it."
  type        = string
  default     = "10.40.0.0/16"
}

variable "admin_cidr_blocks" {
  description = "Networks inside or connected to the VPC (a VPN, a bastion) from which administrators reach the domain and Dashboards on 443."
  type        = list(string)
  default     = []
}

variable "opensearch_admin_role_arn" {
  description = "IAM role of your OpenSearch administrators, allowed to assume the domain's master role. Null: only the bootstrap may."
  type        = string
  default     = null
}

variable "existing_network" {
  description = "Your VPC and subnets (the domain's: one per zone it uses; the functions': at least two zones). Null creates the example's network. The VPC needs DNS support and DNS host names for the interface endpoints."
  type = object({
    vpc_id              = string
    domain_subnet_ids   = list(string)
    function_subnet_ids = list(string)
  })
  default = null
}

variable "create_service_linked_role" {
  description = "Create OpenSearch Service's service-linked role, which VPC domains need once per account (false when the account has it)."
  type        = bool
  default     = false
}

locals {
  create_network      = var.existing_network == null
  vpc_id              = local.create_network ? aws_vpc.this[0].id : var.existing_network.vpc_id
  domain_subnet_ids   = local.create_network ? [aws_subnet.private[0].id] : var.existing_network.domain_subnet_ids
  function_subnet_ids = local.create_network ? aws_subnet.private[*].id : var.existing_network.function_subnet_ids
}

data "aws_availability_zones" "available" {
  count = local.create_network ? 1 : 0

  state = "available"
}

# Interface endpoints with private DNS need DNS support and DNS host names in the VPC.
resource "aws_vpc" "this" {
  count = local.create_network ? 1 : 0

  cidr_block           = var.vpc_cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "${var.name_prefix}-opensearch" }
}

# Private subnets only: no internet gateway, no NAT. The domain uses the first (one node, one zone); the functions
# and the endpoints use both, in two zones.
resource "aws_subnet" "private" {
  count = local.create_network ? 2 : 0

  vpc_id            = aws_vpc.this[0].id
  cidr_block        = cidrsubnet(var.vpc_cidr_block, 8, count.index)
  availability_zone = data.aws_availability_zones.available[0].names[count.index]
  tags              = { Name = "${var.name_prefix}-private-${count.index}" }
}

module "pipeline" {
  source = "../../terraform"

  aws_region  = var.aws_region
  name_prefix = var.name_prefix

  opensearch_vpc = {
    vpc_id                     = local.vpc_id
    subnet_ids                 = local.domain_subnet_ids
    function_subnet_ids        = local.function_subnet_ids
    allowed_cidr_blocks        = var.admin_cidr_blocks
    create_endpoints           = true
    create_service_linked_role = var.create_service_linked_role
  }
  opensearch_admin_role_arn = var.opensearch_admin_role_arn
}

output "opensearch_endpoint" {
  description = "The domain's endpoint, resolvable and reachable inside the VPC only."
  value       = module.pipeline.opensearch_endpoint
}

output "opensearch_master_user_arn" {
  description = "The master role your administrators assume to sign in to Dashboards."
  value       = module.pipeline.opensearch_master_user_arn
}

output "vpc_id" {
  description = "The VPC of the domain and the functions."
  value       = local.vpc_id
}
