"""Each input validation of the opensearch module rejects a bad value at plan with its own message."""

from __future__ import annotations

import pytest

from tests.module_probe import probe_factory

pytestmark = pytest.mark.plan

REQUIRED = {"domain_name": "probe-domain"}
VPC = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"]}

CASES = {
    "domain_name": ({"domain_name": "Retail_Domain"}, "domain_name must be 3 to 28 characters"),
    "engine_version": ({"engine_version": "2.19"}, "engine_version must look like OpenSearch_<major>.<minor>"),
    "instance_type": ({"instance_type": "t3.small"}, "instance_type must be an OpenSearch instance type ending in"),
    "instance_count": ({"instance_count": 0}, "instance_count must be a whole number from 1 to 1002"),
    "dedicated_master_count": (
        {"dedicated_master": {"instance_type": "m7g.large.search", "count": 2}},
        "dedicated_master.count must be 3 or 5",
    ),
    "dedicated_master_type": (
        {"dedicated_master": {"instance_type": "m7g.large"}},
        "dedicated_master.instance_type must be an OpenSearch instance type",
    ),
    "zone_awareness_az_count": ({"zone_awareness_az_count": 4}, "zone_awareness_az_count must be 2, 3 or null"),
    "zone_awareness_instance_count": (
        {"zone_awareness_az_count": 2, "instance_count": 3},
        "instance_count must be a multiple of zone_awareness_az_count",
    ),
    "ebs_volume_size": ({"ebs_volume_size": 5}, "ebs_volume_size must be a whole number of GiB from 10 to 24576"),
    "ebs_iops": ({"ebs_iops": 100}, "ebs_iops must be between 3000 and 16000"),
    "ebs_throughput": ({"ebs_throughput": 2000}, "ebs_throughput must be between 125 and 1000 MiB/s"),
    "kms_key_arn": ({"kms_key_arn": "alias/aws/es"}, "kms_key_arn must be a KMS key ARN"),
    "kms_deletion_window_days": ({"kms_deletion_window_days": 3}, "kms_deletion_window_days must be between 7 and 30"),
    "tls_security_policy": (
        {"tls_security_policy": "Policy-Min-TLS-1-0-2019-07"},
        "tls_security_policy must be Policy-Min-TLS-1-2-PFS-2023-10 or Policy-Min-TLS-1-2-2019-07",
    ),
    "master_user_mode": ({"master_user_mode": "cognito"}, 'master_user_mode must be "iam" or "internal"'),
    "master_user_arn": ({"master_user_arn": "admin"}, "master_user_arn must be an IAM role or user ARN"),
    "master_role_trusted_principal_arns": (
        {"master_role_trusted_principal_arns": ["*"]},
        "master_role_trusted_principal_arns must contain IAM role, user or account root ARNs",
    ),
    "internal_master_user_name": (
        {"internal_master_user_name": "9admin"},
        "internal_master_user_name must be 1 to 64 characters",
    ),
    "master_user_password_version": (
        {"master_user_password_version": 0},
        "master_user_password_version must be a whole number, 1 or more",
    ),
    "access_principal_arns": (
        {"access_principal_arns": ["arn:aws:iam::000000000000:group/admins"]},
        "access_principal_arns must contain IAM role, user or account root ARNs",
    ),
    "log_types": ({"log_types": ["SLOW_LOGS"]}, "log_types may only contain ES_APPLICATION_LOGS"),
    "log_retention_days": ({"log_retention_days": -1}, "log_retention_days must be one of the values"),
    "log_kms_key_arn": ({"log_kms_key_arn": "key"}, "log_kms_key_arn must be a KMS key ARN"),
    "vpc_id": ({"vpc": VPC | {"vpc_id": "default"}}, "vpc.vpc_id must be a VPC ID"),
    "vpc_subnet_ids": ({"vpc": VPC | {"subnet_ids": []}}, "vpc.subnet_ids must list 1 to 3 subnet IDs"),
    "vpc_allowed_cidr_blocks": (
        {"vpc": VPC | {"allowed_cidr_blocks": ["10.0.0.0"]}},
        "vpc.allowed_cidr_blocks must contain IPv4 CIDR blocks",
    ),
}


@pytest.fixture(scope="module")
def probe(make_stack):
    return probe_factory(make_stack)("opensearch", REQUIRED)


def test_probe_with_valid_inputs_plans(probe):
    plan = probe.plan()
    assert "module.probe.aws_opensearch_domain.this" in plan.resource_changes, "expected the probe to plan a domain"


@pytest.mark.parametrize(("inputs", "message"), CASES.values(), ids=CASES.keys())
def test_invalid_input_fails_with_its_message(probe, inputs, message):
    error = probe.plan_error(**inputs)
    assert message in error, f"got:\n{error[-1500:]}\nexpected the message: {message}"
