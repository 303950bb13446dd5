# Input validations of modules/opensearch. `valid` plans the required inputs alone; every other run breaks one rule
# of each variable it sets and expects each of them to fail (a run fails on a variable that passes, and on any other
# error). The cases are grouped, not one run each as in the mocked files, as the real provider plans here. A variable
# with several rules has one run per rule. A variable whose rules read other variables (zone_awareness_az_count,
# master_user_mode, allowed_ip_cidrs) needs those valid in its runs: Terraform skips the validation of a variable
# that reads a failed one (the run then fails on the missing failure, never passes wrongly). How to add a case:
# docs/testing.md (Input validations).
# mock_provider cannot host this module: it declares an ephemeral resource (the internal master user's password),
# and Terraform 1.11 mocks no ephemeral resource types. The real provider plans offline instead: fake keys, no
# credential or account lookups, and the data sources that would call AWS overridden.
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.kms_key[0].data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = data.aws_iam_session_context.current
  values = { issuer_arn = "arn:aws:iam::000000000000:user/test" }
}

variables {
  domain_name = "probe-domain"
}

run "valid" {
  command = plan
  assert {
    condition     = aws_opensearch_domain.this.domain_name == var.domain_name
    error_message = "The required inputs alone must plan the domain."
  }
}

run "first_rules" {
  command = plan
  variables {
    domain_name                        = "Retail_Domain"
    engine_version                     = "2.19"
    instance_type                      = "t3.small"
    instance_count                     = 0
    dedicated_master                   = { instance_type = "m7g.large.search", count = 2 } # not 3 or 5
    ebs_volume_size                    = 5
    ebs_iops                           = 100
    ebs_throughput                     = 2000
    kms_key_arn                        = "alias/aws/es"
    kms_deletion_window_days           = 3
    tls_security_policy                = "Policy-Min-TLS-1-0-2019-07"
    master_user_arn                    = "admin"
    master_role_trusted_principal_arns = ["*"]
    internal_master_user_name          = "9admin"
    master_user_password_version       = 0
    access_principal_arns              = ["arn:aws:iam::000000000000:group/admins"]
    log_types                          = ["AUDIT_LOGS", "SLOW_LOGS"] # an unknown type (audit logs kept)
    log_retention_days                 = -1
    log_kms_key_arn                    = "key"
    allowed_ip_cidrs                   = ["0.0.0.0/0"] # open to all
  }
  expect_failures = [
    var.domain_name,
    var.engine_version,
    var.instance_type,
    var.instance_count,
    var.dedicated_master,
    var.ebs_volume_size,
    var.ebs_iops,
    var.ebs_throughput,
    var.kms_key_arn,
    var.kms_deletion_window_days,
    var.tls_security_policy,
    var.master_user_arn,
    var.master_role_trusted_principal_arns,
    var.internal_master_user_name,
    var.master_user_password_version,
    var.access_principal_arns,
    var.log_types,
    var.log_retention_days,
    var.log_kms_key_arn,
    var.allowed_ip_cidrs,
  ]
}

run "second_rules" {
  command = plan
  variables {
    master_user_mode        = "cognito"
    dedicated_master        = { instance_type = "m7g.large" } # not a .search type
    zone_awareness_az_count = 4                               # not 2 or 3
    instance_count          = 4                               # a multiple: only the rule on the number of zones fails
    log_types               = ["ES_APPLICATION_LOGS"]         # no audit logs
  }
  expect_failures = [var.master_user_mode, var.dedicated_master, var.zone_awareness_az_count, var.log_types]
}

run "vpc_id" {
  command = plan
  variables {
    vpc = {
      vpc_id     = "default"
      subnet_ids = ["subnet-0123456789abcdef0"]
    }
    zone_awareness_az_count = 2
    instance_count          = 3 # not a multiple of the zones
  }
  expect_failures = [var.vpc, var.zone_awareness_az_count]
}

run "vpc_subnet_ids" {
  command = plan
  variables {
    vpc = {
      vpc_id     = "vpc-0123456789abcdef0"
      subnet_ids = []
    }
  }
  expect_failures = [var.vpc]
}

run "vpc_allowed_cidr_blocks" {
  command = plan
  variables {
    vpc = {
      vpc_id              = "vpc-0123456789abcdef0"
      subnet_ids          = ["subnet-0123456789abcdef0"]
      allowed_cidr_blocks = ["10.0.0.0"]
    }
  }
  expect_failures = [var.vpc]
}

run "allowed_ip_cidrs_vpc" {
  command = plan
  variables {
    vpc = {
      vpc_id     = "vpc-0123456789abcdef0"
      subnet_ids = ["subnet-0123456789abcdef0"]
    }
    allowed_ip_cidrs = ["203.0.113.0/24"]
  }
  expect_failures = [var.allowed_ip_cidrs]
}

run "internal_master_network" {
  command = plan
  variables { master_user_mode = "internal" }
  expect_failures = [var.master_user_mode]
}
