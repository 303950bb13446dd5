"""The security baseline, asserted on the planned JSON of the root stack as ENV=aws deploys it.

checkov (`make lint`) scans the source; these tests pin the same properties on what Terraform would create, so a
regression fails CI even if checkov's checks change: KMS encryption at rest with customer managed keys everywhere
data rests, TLS-only access, no public access, and IAM that grants no wildcard action and no "*" resource
outside a short, commented allow list.

Values that come from a resource created in the same apply (key ARNs, the bucket and stream ARNs) are unknown at
plan. An encryption setting that is unknown is accepted as "set from a key of this apply" (the integration tests
read the applied values on the emulator). A policy that is unknown is named in UNKNOWN_AT_PLAN and checked where
its values are literal: the module fixtures under tests/fixtures/ and the root stack with an SSE-S3 lake.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.harness import planned_resources, random_prefix
from tools.targets import REPO_ROOT

pytestmark = pytest.mark.plan

QUICKSIGHT_PRINCIPAL = "arn:aws:quicksight:us-east-1:000000000000:user/default/analyst"

# Where each resource type keeps its policy documents.
POLICY_ATTRIBUTES = {
    "aws_iam_role": "assume_role_policy",
    "aws_iam_role_policy": "policy",
    "aws_iam_policy": "policy",
    "aws_kms_key": "policy",
    "aws_s3_bucket_policy": "policy",
    "aws_sqs_queue_policy": "policy",
    "aws_sns_topic_policy": "policy",
    "aws_opensearch_domain": "access_policies",
    "aws_cloudwatch_log_resource_policy": "policy_document",
}

# The only statements that may allow a wildcard action or every resource. Each is commented in its .tf file.
ALLOWED_WILDCARDS = {
    # Key policies: "*" is the key the policy is attached to; kms:* for the account is AWS's default key policy,
    # which hands every use of the key to the account's IAM policies.
    "AccountAdministersKeyThroughIam": "key policy: the account administers its key through IAM",
    "CloudWatchLogsEncryptsTheStackLogGroups": "key policy: CloudWatch Logs, for this stack's log groups only",
    "CloudWatchAlarmsEncryptNotifications": "key policy: CloudWatch alarms of this account only",
    # Not data resources: these AWS actions support no resource-level permissions.
    "ManageVpcNetworkInterfaces": "Lambda ENIs in a VPC (off by default)",
    "WriteTraces": "X-Ray segments with Active tracing (off by default)",
}

# Policies the root plan cannot show, because they hold ARNs of keys, the bucket or the stream created in the
# same apply. Each is checked with literal values in MODULE_FIXTURES or in the SSE-S3 root plan.
UNKNOWN_AT_PLAN = {
    "module.compaction_lambda[0].aws_iam_role_policy.function[0]": "the lake key (SSE-S3 root plan)",
    "module.compaction_lambda[0].aws_iam_role_policy.module": "the dead-letter queue key (lambda_function fixture)",
    "module.firehose.aws_iam_role_policy.this": "bucket, stream and their keys (firehose_s3 fixture)",
    "module.ingest_lambda[0].aws_iam_role_policy.module": "stream, its key and the queue key (lambda_function fixture)",
    "module.quicksight[0].aws_iam_role_policy.service_role[0]": "the lake key (quicksight fixture, SSE-S3 root plan)",
}
MODULE_FIXTURES = ("firehose_s3", "lambda_function", "quicksight")

# Every resource type the stack creates has been reviewed for where its data rests and who may reach it. A new
# type fails here until its encryption and access are asserted below (or it is shown to hold no data).
REVIEWED_TYPES = {
    # data at rest, asserted below
    "aws_s3_bucket",
    "aws_kinesis_stream",
    "aws_kinesis_firehose_delivery_stream",
    "aws_cloudwatch_log_group",
    "aws_sns_topic",
    "aws_sqs_queue",
    "aws_opensearch_domain",
    "aws_athena_workgroup",
    # bucket settings and policies, asserted below
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_sqs_queue_policy",
    "aws_sns_topic_policy",
    "aws_cloudwatch_log_resource_policy",
    # keys and IAM, asserted below
    "aws_kms_key",
    "aws_kms_alias",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_lambda_permission",
    # metadata, configuration or compute without data of their own
    "aws_athena_named_query",  # SQL text
    "aws_glue_catalog_database",  # schema only; the catalog's encryption is an account-wide setting
    "aws_glue_catalog_table",
    "aws_cloudwatch_log_stream",
    "aws_cloudwatch_metric_alarm",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target",
    "aws_lambda_function",  # environment: names and settings only, encrypted with the AWS managed key
    "aws_lambda_function_event_invoke_config",
    "aws_lambda_event_source_mapping",
    "aws_lambda_invocation",  # the bootstrap's input: names and ARNs
    "aws_quicksight_data_source",  # Athena through TLS (asserted below); data stays in the lake
    "aws_quicksight_data_set",
}

CMK_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/.+$")


# --- Plans ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prefix() -> str:
    return random_prefix()


def aws_stack_vars(prefix: str, **extra: Any) -> dict[str, Any]:
    """ENV=aws defaults (OpenSearch and alarms on) with QuickSight on too, so every module is in the plan."""
    return {
        "name_prefix": prefix,
        "enable_quicksight": "true",
        "quicksight_principal_arns": [QUICKSIGHT_PRINCIPAL],
        **extra,
    }


@pytest.fixture(scope="module")
def plan(make_stack, prefix):
    return make_stack("terraform", var_files=["env/aws.tfvars"], tf_vars=aws_stack_vars(prefix)).plan()


@pytest.fixture(scope="module")
def direct_put_plan(make_stack):
    tf_vars = aws_stack_vars(random_prefix(), firehose_source="direct_put")
    return make_stack("terraform", var_files=["env/aws.tfvars"], tf_vars=tf_vars).plan()


@pytest.fixture(scope="module")
def sse_s3_plan(make_stack):
    """The root stack with an SSE-S3 lake: the root's own role policies no longer hold the lake key's ARN."""
    tf_vars = aws_stack_vars(random_prefix(), bucket_sse_algorithm="AES256")
    return make_stack("terraform", var_files=["env/aws.tfvars"], tf_vars=tf_vars).plan()


@pytest.fixture(scope="module", params=MODULE_FIXTURES)
def fixture_plan(request, plan_of):
    return plan_of(f"tests/fixtures/{request.param}")  # shared with the module's own plan tests


# --- Helpers -------------------------------------------------------------------------------------


def resource_changes(plan) -> dict[str, dict[str, Any]]:
    """Every managed resource of the plan, by address, as its resource_changes entry (type, module, change)."""
    return {rc["address"]: rc for rc in plan._raw["resource_changes"] if rc["mode"] == "managed"}


def changes(plan) -> dict[str, dict[str, Any]]:
    """Every managed resource's planned values ("after", from planned_resources) and what is unknown at plan."""
    values = planned_resources(plan)
    return {
        address: {"after": values.get(address, {}), "after_unknown": rc["change"]["after_unknown"] or {}}
        for address, rc in resource_changes(plan).items()
    }


def types(plan) -> dict[str, str]:
    return {address: rc["type"] for address, rc in resource_changes(plan).items()}


def of_type(plan, resource_type: str) -> dict[str, dict[str, Any]]:
    kinds = types(plan)
    found = {a: change for a, change in changes(plan).items() if kinds[a] == resource_type}
    assert found, f"got no {resource_type} in the plan"
    return found


def module_of(plan, address: str) -> str:
    """The module instance an address belongs to ("" for the root)."""
    return resource_changes(plan)[address].get("module_address", "")


def is_set(change: dict[str, Any], *path: str | int) -> bool:
    """True when the attribute at `path` is planned non-empty, or is computed in this apply (unknown at plan)."""
    after, unknown = change["after"], change["after_unknown"]
    for step in path:
        if unknown is True:
            return True
        after = _step(after, step)
        unknown = _step(unknown, step)
    return unknown is True or after not in (None, "", [], {})


def _step(value: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return value[step] if isinstance(value, list) and len(value) > step else None
    return value.get(step) if isinstance(value, dict) else None


def value(change: dict[str, Any], *path: str | int) -> Any:
    after = change["after"]
    for step in path:
        after = _step(after, step)
    return after


def as_list(item: Any) -> list[Any]:
    return item if isinstance(item, list) else [item]


def policies(plan) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every policy document the plan shows, with the address it belongs to."""
    kinds = types(plan)
    for address, change in changes(plan).items():
        attribute = POLICY_ATTRIBUTES.get(kinds[address])
        text = (change["after"] or {}).get(attribute) if attribute else None
        if text:
            yield address, json.loads(text)


def unknown_policies(plan, resource_types: tuple[str, ...] = tuple(POLICY_ATTRIBUTES)) -> list[str]:
    kinds = types(plan)
    return sorted(
        address
        for address, change in changes(plan).items()
        if kinds[address] in resource_types
        and (change["after_unknown"] or {}).get(POLICY_ATTRIBUTES[kinds[address]]) is True
    )


def allow_statements(plan) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(address, resource type, statement) of every Allow statement the plan shows."""
    kinds = types(plan)
    for address, document in policies(plan):
        for statement in as_list(document["Statement"]):
            if statement["Effect"] == "Allow":
                yield address, kinds[address], statement


def wildcard_action_findings(plan) -> list[str]:
    return [
        f"{address} {statement.get('Sid')}: {actions}"
        for address, _, statement in allow_statements(plan)
        if (actions := [a for a in as_list(statement.get("Action", [])) if "*" in a])
        and statement.get("Sid") not in ALLOWED_WILDCARDS
    ]


def every_resource_findings(plan) -> list[str]:
    return [
        f"{address} {statement.get('Sid')}: {statement.get('Action')}"
        for address, _, statement in allow_statements(plan)
        if "*" in as_list(statement.get("Resource", [])) and statement.get("Sid") not in ALLOWED_WILDCARDS
    ]


def anonymous_principal_findings(plan) -> list[str]:
    findings = []
    for address, _, statement in allow_statements(plan):
        principal = statement.get("Principal")
        values = (
            [principal] if isinstance(principal, str) else [v for vs in (principal or {}).values() for v in as_list(vs)]
        )
        if "*" in values:
            findings.append(f"{address} {statement.get('Sid')}: Principal {principal}")
    return findings


def kms_without_via_service_findings(plan) -> list[str]:
    """KMS use granted to a role must go through the service that needs it (kms:ViaService)."""
    return [
        f"{address} {statement.get('Sid')}: {statement.get('Action')} without kms:ViaService"
        for address, kind, statement in allow_statements(plan)
        if kind in ("aws_iam_role_policy", "aws_iam_policy")
        and any(a.startswith("kms:") for a in as_list(statement["Action"]))
        and "kms:ViaService" not in statement.get("Condition", {}).get("StringEquals", {})
    ]


def tls_deny(document: dict[str, Any]) -> dict[str, Any] | None:
    return next(
        (
            s
            for s in as_list(document["Statement"])
            if s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        ),
        None,
    )


# --- Coverage ------------------------------------------------------------------------------------


def test_every_resource_type_of_the_stack_is_reviewed(plan):
    unreviewed = sorted(set(types(plan).values()) - REVIEWED_TYPES)
    assert not unreviewed, f"got unreviewed resource types {unreviewed}: assert their encryption and access here"


# --- S3 ------------------------------------------------------------------------------------------


def test_every_bucket_encrypts_objects_with_a_customer_managed_key(plan):
    configs = of_type(plan, "aws_s3_bucket_server_side_encryption_configuration")
    for bucket in of_type(plan, "aws_s3_bucket"):
        mine = [c for a, c in configs.items() if module_of(plan, a) == module_of(plan, bucket)]
        assert len(mine) == 1, f"{bucket}: got {len(mine)} encryption configurations, expected 1"
        rule = value(mine[0], "rule", 0)
        default = rule["apply_server_side_encryption_by_default"][0]
        assert default["sse_algorithm"] == "aws:kms", f"{bucket}: got {default['sse_algorithm']}, expected aws:kms"
        assert is_set(mine[0], "rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id"), (
            f"{bucket}: got no KMS key, expected the lake's customer managed key (not aws/s3)"
        )
        assert rule["bucket_key_enabled"] is True, f"{bucket}: got bucket keys off"


def test_every_bucket_blocks_public_access_and_acls(plan):
    blocks = of_type(plan, "aws_s3_bucket_public_access_block")
    ownership = of_type(plan, "aws_s3_bucket_ownership_controls")
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    for bucket in of_type(plan, "aws_s3_bucket"):
        block = [c["after"] for a, c in blocks.items() if module_of(plan, a) == module_of(plan, bucket)]
        assert len(block) == 1, f"{bucket}: got {len(block)} public access blocks, expected 1"
        got = {f: block[0][f] for f in flags}
        assert all(got.values()), f"{bucket}: got {got}, expected all four true"
        owners = [
            value(c, "rule", 0, "object_ownership")
            for a, c in ownership.items()
            if module_of(plan, a) == module_of(plan, bucket)
        ]
        assert owners == ["BucketOwnerEnforced"], f"{bucket}: got {owners}, expected ACLs disabled"


def test_every_bucket_policy_denies_plain_http_and_tls_before_1_2(plan):
    bucket_policies = {a: d for a, d in policies(plan) if types(plan)[a] == "aws_s3_bucket_policy"}
    for bucket in of_type(plan, "aws_s3_bucket"):
        mine = [d for a, d in bucket_policies.items() if module_of(plan, a) == module_of(plan, bucket)]
        assert len(mine) == 1, f"{bucket}: got {len(mine)} bucket policies, expected 1"
        deny = tls_deny(mine[0])
        assert deny, f"{bucket}: got no statement denying aws:SecureTransport = false"
        assert as_list(deny["Action"]) == ["s3:*"], f"{bucket}: got {deny['Action']}, expected every S3 action"
        resources = as_list(deny["Resource"])
        buckets = [r for r in resources if not r.endswith("/*")]
        assert sorted(resources) == sorted([*buckets, *(f"{b}/*" for b in buckets)]), (
            f"{bucket}: got {resources}, expected the bucket and its objects"
        )
        old_tls = [
            s["Condition"]["NumericLessThan"]
            for s in mine[0]["Statement"]
            if "NumericLessThan" in s.get("Condition", {})
        ]
        assert old_tls == [{"s3:TlsVersion": "1.2"}], f"{bucket}: got {old_tls}, expected a deny of TLS < 1.2"


def test_every_lifecycle_rule_aborts_incomplete_multipart_uploads(plan):
    for address, change in of_type(plan, "aws_s3_bucket_lifecycle_configuration").items():
        for rule in value(change, "rule"):
            days = [a["days_after_initiation"] for a in rule["abort_incomplete_multipart_upload"]]
            assert len(days) == 1, f"{address} rule {rule['id']}: got {days}, expected one abort setting"
            assert days[0] >= 1, f"{address} rule {rule['id']}: got {days[0]} days"


# --- Streams, queues, topics, logs ---------------------------------------------------------------


def test_every_stream_is_encrypted_with_a_customer_managed_key(plan):
    for address, change in of_type(plan, "aws_kinesis_stream").items():
        assert value(change, "encryption_type") == "KMS", f"{address}: got {value(change, 'encryption_type')}"
        key = value(change, "kms_key_id")
        assert is_set(change, "kms_key_id"), f"{address}: got no key"
        assert key is None or CMK_ARN.match(key), f"{address}: got {key}, expected a customer managed key"


def test_kinesis_sourced_delivery_stream_reads_an_encrypted_stream_and_writes_with_the_lake_key(plan):
    for address, change in of_type(plan, "aws_kinesis_firehose_delivery_stream").items():
        assert is_set(change, "kinesis_source_configuration", 0, "kinesis_stream_arn"), f"{address}: no stream"
        assert is_set(change, "extended_s3_configuration", 0, "kms_key_arn"), (
            f"{address}: got no kms_key_arn, expected objects written with the lake key"
        )


def test_direct_put_delivery_stream_encrypts_with_a_customer_managed_key(direct_put_plan):
    for address, change in of_type(direct_put_plan, "aws_kinesis_firehose_delivery_stream").items():
        sse = value(change, "server_side_encryption", 0) or {}
        assert sse.get("enabled") is True, f"{address}: got {sse}, expected encryption at rest"
        assert is_set(change, "server_side_encryption", 0, "key_arn"), f"{address}: got no key, expected the lake key"
        assert sse.get("key_type") in (None, "CUSTOMER_MANAGED_CMK"), f"{address}: got {sse.get('key_type')}"


def test_every_log_group_is_kms_encrypted_and_kept_a_year(plan):
    for address, change in of_type(plan, "aws_cloudwatch_log_group").items():
        assert is_set(change, "kms_key_id"), f"{address}: got CloudWatch Logs' default encryption, expected a CMK"
        days = value(change, "retention_in_days")
        assert days >= 365, f"{address}: got {days} days, expected at least 365"


def test_every_queue_is_encrypted_with_a_customer_managed_key(plan):
    for address, change in of_type(plan, "aws_sqs_queue").items():
        assert is_set(change, "kms_master_key_id"), f"{address}: got SSE-SQS or nothing, expected a KMS key"
        key = value(change, "kms_master_key_id")
        assert key is None or CMK_ARN.match(key), f"{address}: got {key}, expected a customer managed key"


def test_every_topic_is_encrypted_with_a_customer_managed_key(plan):
    for address, change in of_type(plan, "aws_sns_topic").items():
        key = value(change, "kms_master_key_id")
        assert is_set(change, "kms_master_key_id"), f"{address}: got no KMS key"
        assert key is None or CMK_ARN.match(key), f"{address}: got {key}, expected a customer managed key"


@pytest.mark.parametrize("policy_type", ["aws_sqs_queue_policy", "aws_sns_topic_policy"])
def test_every_queue_and_topic_policy_denies_plain_http(plan, policy_type):
    found = {a: d for a, d in policies(plan) if types(plan)[a] == policy_type}
    for address, document in found.items():
        assert tls_deny(document), f"{address}: got no statement denying aws:SecureTransport = false"
    stores = of_type(plan, policy_type.removesuffix("_policy"))
    assert len(found) == len(stores), f"got {len(found)} {policy_type} for {len(stores)} of them, expected one each"


# --- OpenSearch ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def domains(plan) -> dict[str, dict[str, Any]]:
    return of_type(plan, "aws_opensearch_domain")


def test_domain_encrypts_at_rest_with_its_key_and_between_nodes(domains):
    for address, change in domains.items():
        assert value(change, "encrypt_at_rest", 0, "enabled") is True, f"{address}: got encryption at rest off"
        assert is_set(change, "encrypt_at_rest", 0, "kms_key_id"), f"{address}: got the AWS managed key"
        assert value(change, "node_to_node_encryption", 0, "enabled") is True, f"{address}: got node-to-node off"


def test_domain_enforces_https_with_tls_1_2(domains):
    for address, change in domains.items():
        options = value(change, "domain_endpoint_options", 0)
        got = (options["enforce_https"], options["tls_security_policy"])
        assert got == (True, "Policy-Min-TLS-1-2-PFS-2023-10"), f"{address}: got {got}"


def test_domain_has_fine_grained_access_control_without_anonymous_access(domains):
    for address, change in domains.items():
        security = value(change, "advanced_security_options", 0)
        got = (security["enabled"], security["anonymous_auth_enabled"])
        assert got == (True, False), f"{address}: got (enabled, anonymous) = {got}, expected (True, False)"


def test_domain_publishes_audit_logs(domains):
    for address, change in domains.items():
        published = {o["log_type"] for o in value(change, "log_publishing_options") if o["enabled"]}
        assert "AUDIT_LOGS" in published, f"{address}: got {sorted(published)}, expected AUDIT_LOGS"


# --- Keys, Athena, QuickSight, Lambda ------------------------------------------------------------


def test_every_key_rotates_and_waits_before_deletion(plan):
    for address, change in of_type(plan, "aws_kms_key").items():
        rotation, window = value(change, "enable_key_rotation"), value(change, "deletion_window_in_days")
        assert rotation is True, f"{address}: got rotation {rotation}, expected True"
        assert window >= 7, f"{address}: got a deletion window of {window} days, expected at least 7"


def test_key_policies_let_services_use_keys_only_for_this_account(plan):
    for address, document in policies(plan):
        if types(plan)[address] != "aws_kms_key":
            continue
        for statement in as_list(document["Statement"]):
            principal = statement.get("Principal", {})
            if "Service" in principal:
                assert statement.get("Condition"), (
                    f"{address} {statement.get('Sid')}: got a service grant without condition"
                )
            else:
                roots = as_list(principal.get("AWS", []))
                assert all(r.endswith(":root") for r in roots), f"{address}: got principals {roots}"


def test_athena_results_are_encrypted_with_the_lake_key_and_enforced(plan):
    for address, change in of_type(plan, "aws_athena_workgroup").items():
        configuration = value(change, "configuration", 0)
        encryption = configuration["result_configuration"][0]["encryption_configuration"][0]
        assert encryption["encryption_option"] == "SSE_KMS", f"{address}: got {encryption['encryption_option']}"
        assert is_set(
            change, "configuration", 0, "result_configuration", 0, "encryption_configuration", 0, "kms_key_arn"
        )
        assert configuration["enforce_workgroup_configuration"] is True, f"{address}: clients could override it"


def test_quicksight_reaches_athena_over_tls(plan):
    for address, change in of_type(plan, "aws_quicksight_data_source").items():
        assert value(change, "ssl_properties", 0, "disable_ssl") is False, f"{address}: got SSL disabled"


def test_lambda_permissions_name_their_source(plan):
    for address, change in of_type(plan, "aws_lambda_permission").items():
        principal = value(change, "principal")
        assert principal.endswith(".amazonaws.com"), f"{address}: got principal {principal}, expected a service"
        assert is_set(change, "source_arn"), f"{address}: got no source_arn, expected the invoking rule"
        assert value(change, "source_account"), f"{address}: got no source_account"


# --- IAM -----------------------------------------------------------------------------------------


def test_no_policy_allows_a_wildcard_action_outside_the_allow_list(plan):
    findings = wildcard_action_findings(plan)
    assert not findings, f"got wildcard actions {findings}"


def test_no_policy_allows_every_resource_outside_the_allow_list(plan):
    findings = every_resource_findings(plan)
    assert not findings, f'got Resource "*" in {findings}'


def test_no_policy_allows_anonymous_principals(plan):
    findings = anonymous_principal_findings(plan)
    assert not findings, f"got {findings}"


def test_every_kms_grant_to_a_role_goes_through_its_service(plan):
    findings = kms_without_via_service_findings(plan)
    assert not findings, f"got {findings}"


def test_policies_unknown_at_plan_are_exactly_the_listed_ones(plan):
    unknown = unknown_policies(plan, ("aws_iam_role_policy", "aws_iam_policy"))
    assert unknown == sorted(UNKNOWN_AT_PLAN), (
        f"got {unknown}, expected {sorted(UNKNOWN_AT_PLAN)}: check a new unknown policy with literal values"
    )


def test_root_policies_with_an_sse_s3_lake_follow_the_same_rules(sse_s3_plan):
    shown = {a for a, _ in policies(sse_s3_plan)}
    root_level = {a for a, where in UNKNOWN_AT_PLAN.items() if "SSE-S3 root plan" in where}
    assert root_level <= shown, f"got {sorted(root_level - shown)} still unknown with an SSE-S3 lake"
    findings = (
        wildcard_action_findings(sse_s3_plan)
        + every_resource_findings(sse_s3_plan)
        + anonymous_principal_findings(sse_s3_plan)
        + kms_without_via_service_findings(sse_s3_plan)
    )
    assert not findings, f"got {findings}"


def test_module_fixture_policies_follow_the_same_rules(fixture_plan):
    assert unknown_policies(fixture_plan) == [], f"got {unknown_policies(fixture_plan)} unknown in the fixture"
    findings = (
        wildcard_action_findings(fixture_plan)
        + every_resource_findings(fixture_plan)
        + anonymous_principal_findings(fixture_plan)
        + kms_without_via_service_findings(fixture_plan)
    )
    assert not findings, f"got {findings}"


@pytest.mark.parametrize("sid", sorted(ALLOWED_WILDCARDS))
def test_allow_listed_exceptions_are_explained_next_to_them(sid):
    """Each allowed wildcard statement carries a comment between its sid and its resources."""
    sources = [
        p for d in ("terraform", "modules") for p in (REPO_ROOT / d).rglob("*.tf") if ".terraform" not in p.parts
    ]
    found = []
    for path in sources:
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if re.search(rf'\bsid\s*=\s*"{sid}"', line):
                block = []
                for following in lines[number:]:
                    block.append(following)
                    if re.match(r"\s*resources\s*=", following):
                        break
                found.append((path.name, any("#" in b for b in block)))
    assert found, f"got no statement {sid} in terraform/ or modules/"
    assert all(commented for _, commented in found), f"got {found}, expected a comment next to each {sid}"


def test_wildcard_allow_list_is_used(plan):
    """An entry nobody needs any more widens the allow list for nothing."""
    sids = {s.get("Sid") for _, _, s in allow_statements(plan)}
    fixture_only = {"ManageVpcNetworkInterfaces", "WriteTraces"}  # off in the stack, on in the lambda fixture
    unused = sorted(set(ALLOWED_WILDCARDS) - sids - fixture_only)
    assert not unused, f"got unused allow-list entries {unused}"
