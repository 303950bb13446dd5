"""Plan-level checks of the opensearch module with literal inputs (tests/fixtures/opensearch)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness import planned, random_prefix, the_only

pytestmark = pytest.mark.plan

NEWEST_TLS_POLICY = "Policy-Min-TLS-1-2-PFS-2023-10"


@pytest.fixture(scope="module")
def prefix() -> str:
    return random_prefix()


@pytest.fixture(scope="module")
def plan(make_stack, prefix):
    return make_stack("tests/fixtures/opensearch", tf_vars={"name_prefix": prefix}).plan()


def domain(plan, module: str) -> dict[str, Any]:
    return planned(plan, f"module.{module}.aws_opensearch_domain.this")


def access_policy(plan, module: str) -> dict[str, Any]:
    return json.loads(domain(plan, module)["access_policies"])["Statement"][0]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_domain_encrypts_at_rest_with_a_rotating_customer_managed_key(plan):
    encrypt = domain(plan, "iam_master")["encrypt_at_rest"][0]
    assert encrypt["enabled"] is True, f"got {encrypt}"
    key = planned(plan, "module.iam_master.module.kms_key[0].aws_kms_key.this")
    assert key["enable_key_rotation"] is True, "got a key without rotation"


def test_domain_uses_the_given_key(plan):
    encrypt = domain(plan, "internal_master_vpc")["encrypt_at_rest"][0]
    assert encrypt["kms_key_id"].endswith("key/11111111-2222-3333-4444-555555555555"), f"got {encrypt}"
    keys = [a for a in plan.resource_changes if a.startswith("module.internal_master_vpc.module.kms_key")]
    assert not keys, f"got {keys}, expected no new key"


def test_nodes_encrypt_traffic_between_them(plan):
    assert domain(plan, "iam_master")["node_to_node_encryption"][0]["enabled"] is True


def test_endpoint_is_https_only_with_the_newest_tls_policy(plan):
    options = domain(plan, "iam_master")["domain_endpoint_options"][0]
    got = (options["enforce_https"], options["tls_security_policy"])
    assert got == (True, NEWEST_TLS_POLICY), f"got {got}, expected (True, {NEWEST_TLS_POLICY})"


def test_fine_grained_access_control_has_an_iam_master_and_no_anonymous_access(plan):
    security = domain(plan, "iam_master")["advanced_security_options"][0]
    assert (security["enabled"], security["anonymous_auth_enabled"]) == (True, False), f"got {security}"
    assert security["internal_user_database_enabled"] is False, "an IAM master needs no internal user database"
    master = security["master_user_options"][0]
    assert master.get("master_user_name") is None, f"got {master}"
    assert master.get("master_user_password") is None, f"got {master}"


def test_master_role_is_created_and_trusts_the_identity_running_terraform(plan, prefix):
    role = planned(plan, "module.iam_master.aws_iam_role.master[0]")
    assert role["name"] == f"{prefix}-iam-opensearch-master", f"got {role['name']}"
    statement = json.loads(role["assume_role_policy"])["Statement"][0]
    principal = the_only(as_list(statement["Principal"]["AWS"]), "trusted principal")
    assert principal.split(":")[2] == "iam", f"got {principal}, expected an IAM principal"
    assert "*" not in principal, f"got {principal}"


def test_access_policy_admits_only_the_master_and_listed_principals(plan, prefix):
    statement = access_policy(plan, "iam_master")
    principals = as_list(statement["Principal"]["AWS"])
    names = sorted(p.split("/")[-1] for p in principals)
    assert names == [f"{prefix}-iam-opensearch-master", f"{prefix}-ingest"], f"got {principals}"


def test_access_policy_names_http_actions_on_this_domain_only(plan, prefix):
    statement = access_policy(plan, "iam_master")
    actions = as_list(statement["Action"])
    assert all(a.startswith("es:ESHttp") and "*" not in a for a in actions), f"got {actions}"
    resource = the_only(as_list(statement["Resource"]), "resource")
    assert resource.endswith(f":domain/{prefix}-iam/*"), f"got {resource}"


def test_internal_master_gets_its_password_from_secrets_manager(plan):
    security = domain(plan, "internal_master_vpc")["advanced_security_options"][0]
    assert security["internal_user_database_enabled"] is True
    assert security["master_user_options"][0]["master_user_name"] == "admin"
    version = planned(plan, "module.internal_master_vpc.aws_secretsmanager_secret_version.master[0]")
    assert version.get("secret_string_wo") is None, "the write-only password must never be in the plan"
    assert version["secret_string_wo_version"] == 1, f"got {version['secret_string_wo_version']}"


def test_internal_master_secret_is_encrypted_with_the_domain_key(plan):
    secret = planned(plan, "module.internal_master_vpc.aws_secretsmanager_secret.master[0]")
    assert secret["kms_key_id"].endswith("key/11111111-2222-3333-4444-555555555555"), f"got {secret['kms_key_id']}"


def test_domain_publishes_its_logs_to_retained_log_groups(plan):
    options = domain(plan, "iam_master")["log_publishing_options"]
    types = sorted(o["log_type"] for o in options)
    assert types == ["AUDIT_LOGS", "ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS"], f"got {types}"
    group = planned(plan, 'module.iam_master.aws_cloudwatch_log_group.this["AUDIT_LOGS"]')
    assert group["retention_in_days"] == 365, f"got {group['retention_in_days']}, expected 365"


def test_log_policy_lets_only_this_domain_write(plan, prefix):
    document = json.loads(
        planned(plan, "module.iam_master.aws_cloudwatch_log_resource_policy.this[0]")["policy_document"]
    )
    statement = document["Statement"][0]
    assert statement["Principal"] == {"Service": "es.amazonaws.com"}, f"got {statement['Principal']}"
    source = statement["Condition"]["ArnLike"]["aws:SourceArn"]
    assert source.endswith(f":domain/{prefix}-iam"), f"got {source}"


def test_storage_is_gp3(plan):
    ebs = domain(plan, "iam_master")["ebs_options"][0]
    assert (ebs["ebs_enabled"], ebs["volume_type"], ebs["volume_size"]) == (True, "gp3", 10), f"got {ebs}"


def test_high_availability_settings_are_passed(plan):
    cluster = domain(plan, "internal_master_vpc")["cluster_config"][0]
    got = (cluster["zone_awareness_enabled"], cluster["zone_awareness_config"][0]["availability_zone_count"])
    got += (cluster["dedicated_master_enabled"], cluster["dedicated_master_count"], cluster["dedicated_master_type"])
    assert got == (True, 2, True, 3, "m7g.large.search"), f"got {got}"


def test_vpc_domain_admits_https_only_from_allowed_sources(plan):
    addresses = [a for a in plan.resource_changes if "aws_vpc_security_group_ingress_rule" in a]
    rules = [planned(plan, a) for a in addresses if a.startswith("module.internal_master_vpc.")]
    ports = {(r["ip_protocol"], r["from_port"], r["to_port"]) for r in rules}
    sources = sorted(r.get("cidr_ipv4") or r.get("referenced_security_group_id") for r in rules)
    assert ports == {("tcp", 443, 443)}, f"got {ports}"
    assert sources == ["10.0.0.0/16", "sg-0123456789abcdef0"], f"got {sources}"


def test_vpc_domain_security_group_has_no_egress(plan):
    group = planned(plan, "module.internal_master_vpc.aws_security_group.this[0]")
    assert group.get("egress") in ([], None), f"got {group.get('egress')}"


def test_public_domain_has_no_vpc_security_group_or_service_linked_role(plan):
    extra = [
        a
        for a in plan.resource_changes
        if a.startswith("module.iam_master.") and ("security_group" in a or "service_linked_role" in a)
    ]
    assert not extra, f"got {extra}"
