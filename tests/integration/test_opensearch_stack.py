"""The root stack with OpenSearch on, applied once on the emulator (slow: provider 5.100 waits a fixed 10 minutes
after creating a domain, terraform-provider-aws #45244; the suite starts this module first so that the wait overlaps
everything else). Terraform never deletes the domain here, which would wait 10 minutes more: a parallel worker's
emulator is thrown away with everything in it; on an emulator that outlives the run (a serial run on the `make up`
emulator, or ENV=localstack) the domain leaves the state and is deleted directly, then Terraform destroys the rest.

MiniStack serves OpenSearch's control plane only: these tests check what the domain is configured with and how
the ingest function is wired to it, not indexing (the ingest contract tests use an HTTP test double). The bootstrap
Lambda really runs during the apply (aws_lambda_invocation), pointed through opensearch_bootstrap_endpoint at the
local admin test double (tests/doubles/opensearch_admin.py), since the emulated domain's endpoint does not resolve.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.doubles.opensearch_admin import OpenSearchAdminDouble
from tests.harness import random_prefix

DOMAIN = "module.opensearch[0].aws_opensearch_domain.this"

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def admin_double():
    with OpenSearchAdminDouble() as double:
        yield double


@pytest.fixture(scope="module")
def stack(make_stack, admin_double, target, aws_client):
    # No env/local.tfvars: it turns OpenSearch off, and a -var-file wins over -var. Alarms stay off as locally
    # (the emulator cannot round-trip them, see env/local.tfvars); OpenSearch is on by default.
    tf_vars = {
        "name_prefix": random_prefix("os"),
        "enable_alarms": "false",
        "opensearch_bootstrap_endpoint": admin_double.url,
    }
    stack = make_stack("terraform", tf_vars=tf_vars)
    stack.outputs_after_apply = stack.apply()
    yield stack
    if stack.emulator_goes_with_the_run:
        return
    stack.tf.execute_command("state", "rm", DOMAIN)
    aws_client("opensearch").delete_domain(DomainName=stack.outputs_after_apply["opensearch_domain_name"])
    stack.destroy()


@pytest.fixture(scope="module")
def outputs(stack) -> dict[str, Any]:
    return stack.outputs_after_apply


@pytest.fixture(scope="module")
def domain(outputs, aws_client) -> dict[str, Any]:
    return aws_client("opensearch").describe_domain(DomainName=outputs["opensearch_domain_name"])["DomainStatus"]


def test_domain_encrypts_at_rest_with_the_created_key_and_between_nodes(domain):
    at_rest, node_to_node = domain["EncryptionAtRestOptions"], domain["NodeToNodeEncryptionOptions"]
    assert at_rest["Enabled"] is True, f"got {at_rest}"
    assert at_rest.get("KmsKeyId"), f"got {at_rest}, expected the domain's key"
    assert node_to_node["Enabled"] is True, f"got {node_to_node}"


def test_domain_is_https_only_with_the_newest_tls_policy(domain):
    options = domain["DomainEndpointOptions"]
    got = (options["EnforceHTTPS"], options["TLSSecurityPolicy"])
    assert got == (True, "Policy-Min-TLS-1-2-PFS-2023-10"), f"got {got}"


def test_domain_has_fine_grained_access_control_without_internal_users(domain):
    security = domain["AdvancedSecurityOptions"]
    assert security["Enabled"] is True, f"got {security}"
    assert security.get("InternalUserDatabaseEnabled") is False, f"got {security}"


def test_domain_access_policy_admits_the_master_and_the_ingest_role_only(domain, outputs):
    # the bootstrap signs as the master role (with a session policy), so it needs no entry of its own
    statement = json.loads(domain["AccessPolicies"])["Statement"][0]
    principals = statement["Principal"]["AWS"]
    principals = sorted(principals if isinstance(principals, list) else [principals])
    expected = sorted([outputs["opensearch_master_user_arn"], outputs["ingest_role_arn"]])
    assert principals == expected, f"got {principals}, expected {expected}"


def test_bootstrap_ran_on_apply_and_mapped_the_ingest_role(outputs, admin_double):
    result = outputs["opensearch_bootstrap_result"]
    assert result, "got no bootstrap result in the outputs"
    assert result["changed"] == 9, (
        f"got {result}, expected 9 changes on a new domain (8 created, audit logging switched on)"
    )
    mapping = admin_double.mappings.get("retail_ingest", {})
    assert mapping.get("backend_roles") == [outputs["ingest_role_arn"]], f"got {admin_double.mappings}"
    assert "retail" in admin_double.templates, f"got templates {sorted(admin_double.templates)}"


def test_master_role_exists(outputs, aws_client):
    name = outputs["opensearch_master_user_arn"].split("/")[-1]
    role = aws_client("iam").get_role(RoleName=name)["Role"]
    assert role["Arn"] == outputs["opensearch_master_user_arn"], f"got {role['Arn']}"


def test_ingest_function_writes_to_the_domain_endpoint(domain, outputs, aws_client):
    config = aws_client("lambda").get_function_configuration(FunctionName=outputs["ingest_function_name"])
    endpoint = config["Environment"]["Variables"]["OPENSEARCH_ENDPOINT"]
    assert endpoint == f"https://{domain['Endpoint']}" == outputs["opensearch_endpoint"], (
        f"got {endpoint}, expected https://{domain['Endpoint']}"
    )


def test_ingest_role_may_index_into_this_domain_only(domain, outputs, aws_client):
    role = outputs["ingest_function_name"]
    policy = aws_client("iam").get_role_policy(RoleName=role, PolicyName="function")["PolicyDocument"]
    policy = json.loads(policy) if isinstance(policy, str) else policy
    statement = {s["Sid"]: s for s in policy["Statement"]}["BulkIndex"]
    resources = sorted(statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]])
    expected = [f"{domain['ARN']}/_bulk", f"{domain['ARN']}/retail/_bulk"]
    assert resources == expected, f"got {resources}, expected {expected}"


def test_domain_log_groups_exist_and_opensearch_may_write_to_them(outputs, aws_client):
    # MiniStack does not return a domain's LogPublishingOptions (the plan tests check them); the groups and the
    # resource policy that lets OpenSearch write into them are real.
    prefix = f"/aws/opensearch/{outputs['opensearch_domain_name']}/"
    groups = sorted(
        g["logGroupName"] for g in aws_client("logs").describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]
    )
    expected = [f"{prefix}{t}" for t in ("audit-logs", "es-application-logs", "index-slow-logs", "search-slow-logs")]
    assert groups == expected, f"got {groups}, expected {expected}"
    policies = aws_client("logs").describe_resource_policies()["resourcePolicies"]
    names = [p["policyName"] for p in policies]
    assert f"opensearch-{outputs['opensearch_domain_name']}-logs" in names, f"got {names}"


def test_second_plan_after_apply_shows_no_changes(stack):
    text = stack.plan_text()
    assert "No changes." in text, f"expected no changes after apply, got:\n{text[-3000:]}"
