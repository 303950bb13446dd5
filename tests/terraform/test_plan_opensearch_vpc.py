"""OpenSearch in a VPC, planned from the example root examples/opensearch-vpc with an existing network (literal
IDs, so the plan shows every subnet): the domain has no public endpoint, the ingest and bootstrap functions run in
the VPC, HTTPS reaches the domain only from their security group and the administrators' networks, and the
functions reach SQS and STS through interface endpoints. Plan only: creating a domain waits a fixed 10 minutes in
provider 5.100, and the emulator has no VPC data plane to prove the network with.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness import planned, planned_resources, random_prefix

pytestmark = pytest.mark.plan

STACK = "module.pipeline"
ADMIN_ROLE = "arn:aws:iam::000000000000:role/opensearch-admins"
ADMIN_NETWORK = "10.99.0.0/16"
NETWORK = {
    "vpc_id": "vpc-0123456789abcdef0",
    "domain_subnet_ids": ["subnet-0aaaaaaaaaaaaaaaa"],
    "function_subnet_ids": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
}


@pytest.fixture(scope="module")
def prefix() -> str:
    return random_prefix("v")


@pytest.fixture(scope="module")
def plan(make_stack, prefix):
    tf_vars = {"name_prefix": prefix, "opensearch_admin_role_arn": ADMIN_ROLE, "admin_cidr_blocks": [ADMIN_NETWORK],
               "existing_network": NETWORK}  # fmt: skip
    return make_stack("examples/opensearch-vpc", tf_vars=tf_vars).plan()


@pytest.fixture(scope="module")
def unknown(plan) -> dict[str, Any]:
    """What each resource leaves unknown until apply (IDs of the VPC, subnets and security groups)."""
    return {rc["address"]: rc["change"]["after_unknown"] for rc in plan._raw["resource_changes"]}


def rules(plan, kind: str) -> dict[str, dict[str, Any]]:
    return {a: v for a, v in planned_resources(plan).items() if f".{kind}." in a and a.startswith(STACK)}


def test_domain_is_placed_in_its_subnet_with_its_own_security_group(plan, unknown):
    address = f"{STACK}.module.opensearch[0].aws_opensearch_domain.this"
    (options,) = planned(plan, address)["vpc_options"]
    assert options["subnet_ids"] == NETWORK["domain_subnet_ids"], f"got {options}"
    assert unknown[address]["vpc_options"][0]["security_group_ids"] is True, "got no security group of this apply"
    group = planned(plan, f"{STACK}.module.opensearch[0].aws_security_group.this[0]")
    assert group["vpc_id"] == NETWORK["vpc_id"], f"got {group['vpc_id']}"


@pytest.mark.parametrize("function", ["ingest_lambda", "opensearch_bootstrap_lambda"])
def test_function_runs_in_the_function_subnets_with_the_clients_security_group(plan, unknown, function):
    address = f"{STACK}.module.{function}[0].aws_lambda_function.this"
    (config,) = planned(plan, address)["vpc_config"]
    assert config["subnet_ids"] == NETWORK["function_subnet_ids"], f"got {config}"
    assert unknown[address]["vpc_config"][0]["security_group_ids"] is True, "got no security group of this apply"
    clients = planned(plan, f"{STACK}.aws_security_group.opensearch_clients[0]")
    assert clients["vpc_id"] == NETWORK["vpc_id"], f"got {clients}"


def test_domain_admits_https_only_from_the_functions_and_the_admin_network(plan):
    ingress = rules(plan, "aws_vpc_security_group_ingress_rule")
    domain = {a: r for a, r in ingress.items() if "opensearch[0]" in a or "domain_from_clients" in a}
    got = sorted(
        (r["ip_protocol"], r["from_port"], r["to_port"], r.get("cidr_ipv4") or "clients") for r in domain.values()
    )
    assert got == [("tcp", 443, 443, ADMIN_NETWORK), ("tcp", 443, 443, "clients")], f"got {got}"


def test_functions_may_open_https_to_the_domain_and_the_endpoints_only(plan):
    egress = rules(plan, "aws_vpc_security_group_egress_rule")
    got = sorted((a.split(".")[-1], r["ip_protocol"], r["from_port"], r["to_port"]) for a, r in egress.items())
    expected = [("clients_to_domain[0]", "tcp", 443, 443), ("clients_to_endpoints[0]", "tcp", 443, 443)]
    assert got == expected, f"got {got}, expected {expected}"
    assert not [r for r in egress.values() if r.get("cidr_ipv4")], f"got egress to address ranges: {egress}"


def test_security_groups_have_no_inline_rules(plan):
    groups = {a: v for a, v in planned_resources(plan).items() if a.endswith("aws_security_group.this[0]") or (
        ".aws_security_group." in a)}  # fmt: skip
    assert len(groups) == 3, f"got {sorted(groups)}, expected the domain's, the functions' and the endpoints'"
    inline = {a: (v.get("ingress"), v.get("egress")) for a, v in groups.items() if v.get("ingress") or v.get("egress")}
    assert not inline, f"got inline rules {inline}: every rule is a separate, reviewable resource"


def test_endpoints_serve_sqs_and_sts_privately_in_the_function_subnets(plan):
    endpoints = {a: v for a, v in planned_resources(plan).items() if ".aws_vpc_endpoint." in a}
    got = sorted((v["service_name"].rsplit(".", 1)[1], v["vpc_endpoint_type"], v["private_dns_enabled"],
                  v["vpc_id"], sorted(v["subnet_ids"])) for v in endpoints.values())  # fmt: skip
    expected = [(service, "Interface", True, NETWORK["vpc_id"], sorted(NETWORK["function_subnet_ids"]))
                for service in ("sqs", "sts")]  # fmt: skip
    assert got == expected, f"got {got}, expected {expected}"


def test_bootstrap_may_manage_its_network_interfaces(plan):
    address = f"{STACK}.module.opensearch_bootstrap_lambda[0].aws_iam_role_policy.module"
    sids = [s["Sid"] for s in json.loads(planned(plan, address)["policy"])["Statement"]]
    assert "ManageVpcNetworkInterfaces" in sids, f"got {sids}"


def test_master_role_trusts_the_bootstrap_and_the_administrators(plan, prefix):
    role = planned(plan, f"{STACK}.module.opensearch[0].aws_iam_role.master[0]")
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    trusted = sorted(statement["Condition"]["ArnEquals"]["aws:PrincipalArn"])
    expected = sorted([ADMIN_ROLE, f"arn:aws:iam::000000000000:role/{prefix}-opensearch-bootstrap"])
    assert trusted == expected, f"got {trusted}, expected {expected}"
