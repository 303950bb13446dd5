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

from opensearch_bootstrap.resources import api_requests
from opensearch_bootstrap.settings import Settings as BootstrapSettings
from tests.harness import planned, planned_resources, random_prefix
from tools.targets import REPO_ROOT

pytestmark = pytest.mark.plan

QUICKSIGHT_PRINCIPAL = "arn:aws:quicksight:us-east-1:000000000000:user/default/analyst"
CATALOG_KEY = "arn:aws:kms:us-east-1:000000000000:key/99999999-8888-7777-6666-555555555555"
ADMIN_ROLE = "arn:aws:iam::000000000000:role/opensearch-admins"

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
    # Key policies with administrators and users kept apart (kms_key's delegate_to_iam = false; the fixture).
    "KeyAdministratorsManageTheKey": "key policy: the named administrators manage the key, never use it",
    "KeyUsersUseTheKey": "key policy: the named users encrypt and decrypt, never manage the key",
    "KeyUsersGrantToAwsServices": "key policy: users hand the key to AWS services for their resources only",
}
FIXTURE_ONLY_WILDCARDS = {
    "ManageVpcNetworkInterfaces",  # off in the default stack: on in the lambda fixture and the VPC example
    "WriteTraces",
    "KeyAdministratorsManageTheKey",  # the kms_key fixture
    "KeyUsersUseTheKey",
    "KeyUsersGrantToAwsServices",
}

# Policies the root plan cannot show, because they hold ARNs of keys, the bucket or the stream created in the
# same apply. Each is checked with literal values in MODULE_FIXTURES or in the SSE-S3 root plan.
UNKNOWN_AT_PLAN = {
    "module.compaction_lambda[0].aws_iam_role_policy.function[0]": "the lake key (SSE-S3 root plan)",
    "module.compaction_lambda[0].aws_iam_role_policy.module": "the dead-letter queue key (lambda_function fixture)",
    "module.firehose.aws_iam_role_policy.this": "bucket, stream and their keys (firehose_s3 fixture)",
    "module.ingest_lambda[0].aws_iam_role_policy.module": "stream, queue, failure bucket, their keys (lambda_function)",
    "module.quicksight[0].aws_iam_role_policy.data_source[0]": "the lake key (quicksight fixture, SSE-S3 root plan)",
    "module.data_lake.aws_s3_bucket_policy.this": "the lake key, in the upload rule (data_lake fixture, SSE-S3 plan)",
}
MODULE_FIXTURES = ("firehose_s3", "lambda_function", "quicksight", "data_lake", "kms_key")
CHECKED_UNKNOWN_TYPES = ("aws_iam_role_policy", "aws_iam_policy", "aws_s3_bucket_policy")

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
    "aws_iam_policy",  # the bootstrap's session policy
    "aws_lambda_permission",
    # options, asserted below on the options plan or the VPC example (tests/terraform/test_plan_opensearch_vpc.py)
    "aws_s3_bucket_logging",  # access logs, written to another bucket of yours
    "aws_glue_data_catalog_encryption_settings",
    "aws_security_group",  # network rules only
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_vpc_endpoint",
    "aws_iam_service_linked_role",
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
    "aws_cloudformation_stack",  # the QuickSight data source with its own role, Athena through TLS (asserted below)
    "aws_quicksight_template",  # visual definitions; the data stays in the lake
    "aws_quicksight_analysis",
    "aws_quicksight_dashboard",
    "aws_cloudwatch_dashboard",  # metric names and dimensions only
    "aws_s3_bucket_metric",  # a request-metrics filter on a prefix
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
def options_plan(make_stack):
    """The Direct PUT variant with the security options on (one plan for both): Glue Data Catalog encryption with a
    given key, access logs to another bucket, an OpenSearch administrator role."""
    tf_vars = aws_stack_vars(
        random_prefix(),
        firehose_source="direct_put",
        enable_glue_catalog_encryption="true",
        glue_catalog_kms_key_arn=CATALOG_KEY,
        bucket_access_log_bucket="my-access-logs",
        opensearch_admin_role_arn=ADMIN_ROLE,
    )
    return make_stack("terraform", var_files=["env/aws.tfvars"], tf_vars=tf_vars).plan()


@pytest.fixture(scope="module")
def direct_put_plan(options_plan):
    return options_plan


@pytest.fixture(scope="module")
def sse_s3_plan(plan_of):
    """The root stack with an SSE-S3 lake: the root's own role policies no longer hold the lake key's ARN. Shared
    with test_plan_compute_stack (plan_of: the same inputs, one plan)."""
    tf_vars = aws_stack_vars("", bucket_sse_algorithm="AES256")
    del tf_vars["name_prefix"]  # plan_of's own
    return plan_of("terraform", var_files=["env/aws.tfvars"], **tf_vars)


@pytest.fixture(scope="module")
def data_lake_plan(make_stack, prefix):
    return make_stack("tests/fixtures/data_lake", tf_vars={"name_prefix": prefix}).plan()


@pytest.fixture(scope="module")
def kms_key_plan(make_stack, prefix):
    return make_stack("tests/fixtures/kms_key", tf_vars={"name_prefix": prefix}).plan()


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


def the_address(plan, address: str) -> dict[str, Any]:
    """The planned values of one resource of the plan (fails listing the addresses of its type otherwise)."""
    return planned(plan, address)


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


def test_every_bucket_policy_denies_plain_http_and_tls_before_1_2(sse_s3_plan):
    # the SSE-S3 root plan: with a KMS lake the policy holds the key's ARN, unknown until apply (data_lake fixture)
    plan = sse_s3_plan
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


def upload_denials(document: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """The policy's Deny statements on s3:PutObject, by sid: (resource, condition key, required value)."""
    found = {}
    for s in as_list(document["Statement"]):
        if s["Effect"] == "Deny" and as_list(s["Action"]) == ["s3:PutObject"]:
            assert s["Principal"] in ("*", {"AWS": "*"}), f"{s['Sid']}: got {s['Principal']}, expected everyone"
            ((key, value),) = s["Condition"]["StringNotEquals"].items()
            scope = as_list(s["Resource"])[0] if "Resource" in s else "all but " + ", ".join(as_list(s["NotResource"]))
            found[s["Sid"]] = (scope, key, value)
    return found


def test_lake_policy_denies_uploads_without_the_lake_key_or_with_another(data_lake_plan, prefix):
    document = json.loads(planned(data_lake_plan, "module.kms_lake.aws_s3_bucket_policy.this")["policy"])
    key = planned(data_lake_plan, "module.kms_lake.aws_s3_bucket_server_side_encryption_configuration.this")
    key_arn = key["rule"][0]["apply_server_side_encryption_by_default"][0]["kms_master_key_id"]
    got = upload_denials(document)
    bucket = got["DenyUploadsWithoutBucketEncryption"][0].removesuffix("/*")
    expected = {
        "DenyUploadsWithoutBucketEncryption": (f"{bucket}/*", "s3:x-amz-server-side-encryption", "aws:kms"),
        "DenyUploadsWithAnotherKmsKey": (f"{bucket}/*", "s3:x-amz-server-side-encryption-aws-kms-key-id", key_arn),
    }
    assert got == expected, f"got {got}, expected {expected}"
    assert bucket.endswith("-kms-lake"), f"got {bucket}"


def test_sse_s3_lake_policy_denies_uploads_without_aes256(data_lake_plan, sse_s3_plan):
    fixture = json.loads(planned(data_lake_plan, "module.aes_lake.aws_s3_bucket_policy.this")["policy"])
    root = json.loads(planned(sse_s3_plan, "module.data_lake.aws_s3_bucket_policy.this")["policy"])
    for document in (fixture, root):
        got = {sid: value[1:] for sid, value in upload_denials(document).items()}
        expected = {"DenyUploadsWithoutBucketEncryption": ("s3:x-amz-server-side-encryption", "AES256")}
        assert got == expected, f"got {got}, expected {expected}"


def test_root_lake_upload_rule_leaves_out_only_the_failed_batch_store(sse_s3_plan):
    # Lambda's on-failure destination writes without encryption headers (the bucket's default encryption covers
    # it): the upload rule must leave out exactly aws/lambda/, or the failed batches would be refused.
    document = json.loads(planned(sse_s3_plan, "module.data_lake.aws_s3_bucket_policy.this")["policy"])
    (scope,) = {value[0] for value in upload_denials(document).values()}
    bucket = planned(sse_s3_plan, "module.data_lake.aws_s3_bucket.this")["bucket"]
    assert scope == f"all but arn:aws:s3:::{bucket}/aws/lambda/*", f"got {scope}"


def test_lake_upload_rule_can_be_switched_off(data_lake_plan):
    document = json.loads(planned(data_lake_plan, "module.unenforced_lake.aws_s3_bucket_policy.this")["policy"])
    assert upload_denials(document) == {}, f"got {upload_denials(document)}, expected no upload rule"
    assert tls_deny(document), "got no TLS statement left"


def test_root_lake_policy_is_the_one_unknown_at_plan_for_its_key(plan):
    unknown = unknown_policies(plan, ("aws_s3_bucket_policy",))
    assert unknown == ["module.data_lake.aws_s3_bucket_policy.this"], f"got {unknown}"


def test_access_logs_go_to_the_given_bucket_under_the_lake_name(options_plan, data_lake_plan, prefix):
    (root,) = [c["after"] for c in of_type(options_plan, "aws_s3_bucket_logging").values()]
    (lake,) = [c["after"]["bucket"] for c in of_type(options_plan, "aws_s3_bucket").values()]
    fixture = planned(data_lake_plan, "module.kms_lake.aws_s3_bucket_logging.this[0]")
    got = [(root["target_bucket"], root["target_prefix"]), (fixture["target_bucket"], fixture["target_prefix"])]
    expected = [("my-access-logs", f"s3-access/{lake}/"), (f"{prefix}-access-logs", f"s3-access/{prefix}-kms-lake/")]
    assert got == expected, f"got {got}, expected {expected}"


def test_access_logs_are_off_by_default(plan):
    found = [a for a, kind in types(plan).items() if kind == "aws_s3_bucket_logging"]
    assert not found, f"got {found}, expected no access logging without bucket_access_log_bucket"


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


def test_domain_takes_service_software_updates_on_its_own(domains):
    for address, change in domains.items():
        got = value(change, "software_update_options", 0, "auto_software_update_enabled")
        assert got is True, f"{address}: got {got}, expected automatic service software updates"


def test_master_role_trusts_only_the_bootstrap_role(plan, prefix):
    role = the_address(plan, "module.opensearch[0].aws_iam_role.master[0]")
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    trusted = [t.split(":", 5)[5] for t in as_list(statement["Condition"]["ArnEquals"]["aws:PrincipalArn"])]
    assert trusted == [f"role/{prefix}-opensearch-bootstrap"], f"got {trusted}, expected the bootstrap's role alone"
    assert all(p.endswith(":root") for p in as_list(statement["Principal"]["AWS"])), f"got {statement['Principal']}"


def test_master_role_trusts_the_named_administrator_role_too(options_plan):
    role = the_address(options_plan, "module.opensearch[0].aws_iam_role.master[0]")
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    trusted = sorted(as_list(statement["Condition"]["ArnEquals"]["aws:PrincipalArn"]))
    assert len(trusted) == 2, f"got {trusted}, expected the bootstrap role and {ADMIN_ROLE}"
    assert ADMIN_ROLE in trusted, f"got {trusted}, expected {ADMIN_ROLE} among them"


def test_bootstrap_role_may_only_assume_the_master_role(plan):
    document = json.loads(
        the_address(plan, "module.opensearch_bootstrap_lambda[0].aws_iam_role_policy.function[0]")["policy"]
    )
    got = [(s["Sid"], s["Action"]) for s in as_list(document["Statement"])]
    assert got == [("SignAsMaster", "sts:AssumeRole")], f"got {got}, expected only sts:AssumeRole on the master role"


def test_bootstrap_session_policy_names_paths_and_methods_without_wildcards(plan):
    document = json.loads(the_address(plan, "aws_iam_policy.opensearch_bootstrap_session[0]")["policy"])
    actions = sorted(a for s in as_list(document["Statement"]) for a in as_list(s["Action"]))
    assert actions == ["es:ESHttpGet", "es:ESHttpPost", "es:ESHttpPut"], f"got {actions}"
    resources = [r for s in as_list(document["Statement"]) for r in as_list(s["Resource"])]
    assert resources, "got a session policy naming no resource"
    assert not [r for r in resources if "*" in r], f"got wildcard resources in {resources}"
    assert any(r.endswith("/_plugins/_security/api/audit/config") for r in resources), f"got {resources}"


def test_bootstrap_session_policy_allows_exactly_the_requests_the_bootstrap_sends(plan):
    """terraform/opensearch.tf writes the bootstrap's requests by hand; the bootstrap lists them in code."""
    document = json.loads(the_address(plan, "aws_iam_policy.opensearch_bootstrap_session[0]")["policy"])
    domain = the_address(plan, "module.opensearch[0].aws_opensearch_domain.this")["domain_name"]
    granted = sorted(
        (action.removeprefix("es:ESHttp").upper(), resource.split(f":domain/{domain}", 1)[1])
        for s in as_list(document["Statement"])
        for action in as_list(s["Action"])
        for resource in as_list(s["Resource"])
    )
    # the settings the stack's invocation gives the bootstrap (the index is the stack's default, retail)
    settings = BootstrapSettings.from_event(
        {"endpoint": "https://search.example", "region": "us-east-1", "index": "retail",
         "ingest_role_arn": "arn:aws:iam::000000000000:role/ingest", "access_control": "fine_grained"}
    )  # fmt: skip
    sent = sorted(api_requests(settings))
    assert granted == sent, f"got {granted}, expected exactly the bootstrap's requests {sent}"


def test_domain_access_policy_names_only_the_master_and_the_ingest_role(plan, prefix):
    document = json.loads(the_address(plan, "module.opensearch[0].aws_opensearch_domain.this")["access_policies"])
    principals = sorted(
        p.split("/")[-1] for s in as_list(document["Statement"]) for p in as_list(s["Principal"]["AWS"])
    )
    expected = sorted([f"{prefix}-opensearch-master", f"{prefix}-ingest-opensearch"])
    assert principals == expected, f"got {principals}, expected {expected} (the bootstrap signs as the master)"


# --- Glue Data Catalog encryption (an account-wide option) --------------------------------------------------


def test_catalog_encryption_is_off_by_default(plan):
    found = [a for a, kind in types(plan).items() if kind == "aws_glue_data_catalog_encryption_settings"]
    assert not found, f"got {found}, expected the account-wide setting left alone by default"


def test_catalog_encryption_uses_the_key_for_metadata_and_connection_passwords(options_plan):
    (settings,) = of_type(options_plan, "aws_glue_data_catalog_encryption_settings").values()
    config = value(settings, "data_catalog_encryption_settings", 0)
    at_rest, passwords = config["encryption_at_rest"][0], config["connection_password_encryption"][0]
    got = (at_rest["catalog_encryption_mode"], at_rest["sse_aws_kms_key_id"],
           passwords["return_connection_password_encrypted"], passwords["aws_kms_key_id"])  # fmt: skip
    assert got == ("SSE-KMS", CATALOG_KEY, True, CATALOG_KEY), f"got {got}"


def test_catalog_key_is_granted_to_the_stacks_glue_callers_through_glue(options_plan):
    grants = {a: json.loads(c["after"]["policy"]) for a, c in changes(options_plan).items()
              if a.startswith("aws_iam_role_policy.catalog_key[")}  # fmt: skip
    assert sorted(grants) == ['aws_iam_role_policy.catalog_key["compaction"]'], f"got {sorted(grants)}"
    (statement,) = as_list(next(iter(grants.values()))["Statement"])
    got = (statement["Resource"], statement["Condition"]["StringEquals"]["kms:ViaService"])
    assert got == (CATALOG_KEY, "glue.us-east-1.amazonaws.com"), f"got {got}"


# --- Keys, Athena, QuickSight, Lambda ------------------------------------------------------------


def test_every_key_rotates_and_waits_before_deletion(plan):
    for address, change in of_type(plan, "aws_kms_key").items():
        rotation, window = value(change, "enable_key_rotation"), value(change, "deletion_window_in_days")
        assert rotation is True, f"{address}: got rotation {rotation}, expected True"
        assert window >= 7, f"{address}: got a deletion window of {window} days, expected at least 7"


def test_key_policies_let_services_use_keys_only_for_this_account(plan):
    keys = of_type(plan, "aws_kms_key")
    documents = {address: document for address, document in policies(plan) if address in keys}
    assert set(documents) == set(keys), (
        f"got key policies known at plan for {sorted(documents)}, expected every key {sorted(keys)}: "
        "a policy unknown at plan would escape this check"
    )
    service_grants = 0
    for address, document in documents.items():
        for statement in as_list(document["Statement"]):
            principal = statement.get("Principal", {})
            if "Service" in principal:
                service_grants += 1
                assert statement.get("Condition"), (
                    f"{address} {statement.get('Sid')}: got a service grant without condition"
                )
            else:
                roots = as_list(principal.get("AWS", []))
                assert all(r.endswith(":root") for r in roots), f"{address}: got principals {roots}"
    assert service_grants, "got no service statement in any key policy, expected at least CloudWatch Logs'"


def test_separated_key_policy_keeps_administrators_from_using_the_key(kms_key_plan, prefix):
    document = json.loads(planned(kms_key_plan, "module.separated.aws_kms_key.this")["policy"])
    statements = {s["Sid"]: s for s in as_list(document["Statement"])}
    assert "AccountAdministersKeyThroughIam" not in statements, f"got {sorted(statements)}, expected no kms:* for IAM"
    administer = set(as_list(statements["KeyAdministratorsManageTheKey"]["Action"]))
    use = set(as_list(statements["KeyUsersUseTheKey"]["Action"]))
    crypto = {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant"}
    assert not administer & crypto, f"got {sorted(administer & crypto)} for the administrators"
    assert not use & {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"}, f"got {sorted(use)}"
    admins = [a.split("/")[-1] for a in as_list(statements["KeyAdministratorsManageTheKey"]["Principal"]["AWS"])]
    users = sorted(u.split("/")[-1] for u in as_list(statements["KeyUsersUseTheKey"]["Principal"]["AWS"]))
    assert admins == [f"{prefix}-key-admin"], f"got administrators {admins}"
    assert users == [f"{prefix}-reader", f"{prefix}-writer"], f"got users {users}"
    grant = statements["KeyUsersGrantToAwsServices"]
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}, f"got {grant['Condition']}"


def test_default_key_policy_is_unchanged_by_the_separation_option(kms_key_plan):
    document = json.loads(planned(kms_key_plan, "module.default.aws_kms_key.this")["policy"])
    sids = [s["Sid"] for s in as_list(document["Statement"])]
    assert sids == ["AccountAdministersKeyThroughIam"], f"got {sids}, expected AWS's default statement alone"


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
    # By default the data source is made through CloudFormation (it runs as a role of its own, which provider 5.100's
    # aws_quicksight_data_source cannot set): every AWS::QuickSight::DataSource of every stack is checked.
    for address, change in of_type(plan, "aws_cloudformation_stack").items():
        resources = json.loads(value(change, "template_body"))["Resources"].values()
        sources = [r["Properties"] for r in resources if r["Type"] == "AWS::QuickSight::DataSource"]
        assert sources, f"{address}: got no QuickSight data source in the stack"
        for source in sources:
            assert source["SslProperties"] == {"DisableSsl": False}, f"{address}: got {source.get('SslProperties')}"
    for address, change in changes(plan).items():
        if types(plan)[address] == "aws_quicksight_data_source":
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
    unknown = unknown_policies(plan, CHECKED_UNKNOWN_TYPES)
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
    unused = sorted(set(ALLOWED_WILDCARDS) - sids - FIXTURE_ONLY_WILDCARDS)
    assert not unused, f"got unused allow-list entries {unused}"
