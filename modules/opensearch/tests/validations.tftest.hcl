# Input validations of modules/opensearch: each run breaks one rule and expects its variable to fail;
# `valid` plans the required inputs alone. How to add a case: docs/testing.md (Input validations).
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

run "domain_name" {
  command = plan
  variables { domain_name = "Retail_Domain" }
  expect_failures = [var.domain_name]
}

run "engine_version" {
  command = plan
  variables { engine_version = "2.19" }
  expect_failures = [var.engine_version]
}

run "instance_type" {
  command = plan
  variables { instance_type = "t3.small" }
  expect_failures = [var.instance_type]
}

run "instance_count" {
  command = plan
  variables { instance_count = 0 }
  expect_failures = [var.instance_count]
}

run "dedicated_master_count" {
  command = plan
  variables {
    dedicated_master = {
      instance_type = "m7g.large.search"
      count         = 2
    }
  }
  expect_failures = [var.dedicated_master]
}

run "dedicated_master_type" {
  command = plan
  variables {
    dedicated_master = {
      instance_type = "m7g.large"
    }
  }
  expect_failures = [var.dedicated_master]
}

run "zone_awareness_az_count" {
  command = plan
  variables {
    zone_awareness_az_count = 4
    instance_count          = 4 # a multiple: only the rule on the number of zones fails
  }
  expect_failures = [var.zone_awareness_az_count]
}

run "zone_awareness_instance_count" {
  command = plan
  variables {
    zone_awareness_az_count = 2
    instance_count          = 3
  }
  expect_failures = [var.zone_awareness_az_count]
}

run "ebs_volume_size" {
  command = plan
  variables { ebs_volume_size = 5 }
  expect_failures = [var.ebs_volume_size]
}

run "ebs_iops" {
  command = plan
  variables { ebs_iops = 100 }
  expect_failures = [var.ebs_iops]
}

run "ebs_throughput" {
  command = plan
  variables { ebs_throughput = 2000 }
  expect_failures = [var.ebs_throughput]
}

run "kms_key_arn" {
  command = plan
  variables { kms_key_arn = "alias/aws/es" }
  expect_failures = [var.kms_key_arn]
}

run "kms_deletion_window_days" {
  command = plan
  variables { kms_deletion_window_days = 3 }
  expect_failures = [var.kms_deletion_window_days]
}

run "tls_security_policy" {
  command = plan
  variables { tls_security_policy = "Policy-Min-TLS-1-0-2019-07" }
  expect_failures = [var.tls_security_policy]
}

run "master_user_mode" {
  command = plan
  variables { master_user_mode = "cognito" }
  expect_failures = [var.master_user_mode]
}

run "master_user_arn" {
  command = plan
  variables { master_user_arn = "admin" }
  expect_failures = [var.master_user_arn]
}

run "master_role_trusted_principal_arns" {
  command = plan
  variables { master_role_trusted_principal_arns = ["*"] }
  expect_failures = [var.master_role_trusted_principal_arns]
}

run "internal_master_user_name" {
  command = plan
  variables { internal_master_user_name = "9admin" }
  expect_failures = [var.internal_master_user_name]
}

run "master_user_password_version" {
  command = plan
  variables { master_user_password_version = 0 }
  expect_failures = [var.master_user_password_version]
}

run "access_principal_arns" {
  command = plan
  variables { access_principal_arns = ["arn:aws:iam::000000000000:group/admins"] }
  expect_failures = [var.access_principal_arns]
}

run "log_types" {
  command = plan
  variables { log_types = ["SLOW_LOGS"] }
  expect_failures = [var.log_types]
}

run "log_retention_days" {
  command = plan
  variables { log_retention_days = -1 }
  expect_failures = [var.log_retention_days]
}

run "log_kms_key_arn" {
  command = plan
  variables { log_kms_key_arn = "key" }
  expect_failures = [var.log_kms_key_arn]
}

run "vpc_id" {
  command = plan
  variables {
    vpc = {
      vpc_id     = "default"
      subnet_ids = ["subnet-0123456789abcdef0"]
    }
  }
  expect_failures = [var.vpc]
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

run "log_types_audit" {
  command = plan
  variables { log_types = ["ES_APPLICATION_LOGS"] }
  expect_failures = [var.log_types]
}

run "allowed_ip_cidrs" {
  command = plan
  variables { allowed_ip_cidrs = ["0.0.0.0/0"] }
  expect_failures = [var.allowed_ip_cidrs]
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
