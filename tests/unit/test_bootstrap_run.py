"""The bootstrap against the local OpenSearch/Dashboards admin test double (tests/doubles/opensearch_admin.py:
neither OpenSearch nor Dashboards can run here): the exact requests, their bodies and signatures, idempotency
(a second run sends only reads and reports everything in place), updates of what drifted, dry runs, domains
without ISM or fine-grained access control, and failures."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP

import pytest
from botocore.credentials import RefreshableCredentials
from botocore.stub import Stubber

from ingest_opensearch.template import load_template
from opensearch_bootstrap import client as client_module
from opensearch_bootstrap import resources
from opensearch_bootstrap.bootstrap import StepFailed
from opensearch_bootstrap.client import BootstrapError, assumed_role_credentials, signing_credentials
from opensearch_bootstrap.settings import Settings
from tests.bootstrap_support import CREDENTIALS, INGEST_ROLE_ARN, body, bootstrap, session, settings_for, statuses
from tests.doubles.opensearch_admin import SECURITY, OpenSearchAdminDouble

pytestmark = pytest.mark.unit

POLICY = "retail-rollover-retention"
FIRST_RUN = [
    ("GET", "/"),
    ("GET", "/_cat/plugins"),
    ("GET", "/_index_template/retail"),
    ("PUT", "/_index_template/retail"),
    ("GET", f"/_plugins/_ism/policies/{POLICY}"),
    ("PUT", f"/_plugins/_ism/policies/{POLICY}"),
    ("GET", "/_alias/retail"),
    ("GET", "/retail"),
    ("PUT", "/retail-000001"),
    ("GET", "/_plugins/_security/api/roles/retail_ingest"),
    ("PUT", "/_plugins/_security/api/roles/retail_ingest"),
    ("GET", "/_plugins/_security/api/rolesmapping/retail_ingest"),
    ("PUT", "/_plugins/_security/api/rolesmapping/retail_ingest"),
    ("GET", "/_plugins/_security/api/audit"),
    ("PUT", "/_plugins/_security/api/audit/config"),
    ("POST", "/_dashboards/api/saved_objects/_bulk_get"),
    ("POST", "/_dashboards/api/saved_objects/_import"),
]
SECOND_RUN = [request for request in FIRST_RUN if request[0] == "GET" or request[1].endswith("_bulk_get")]
SECOND_RUN.remove(("GET", "/retail"))  # the alias exists now: no need to look for a concrete index


@pytest.fixture
def double():
    with OpenSearchAdminDouble(credentials=CREDENTIALS) as server:
        yield server


def sent(double: OpenSearchAdminDouble) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in double.requests]


def request_to(double: OpenSearchAdminDouble, method: str, path: str):
    (found,) = [r for r in double.requests if (r.method, r.path) == (method, path)]
    return found


def imported_objects(request) -> list[dict]:
    form = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode() + request.body
    )
    (part,) = list(form.iter_parts())
    return [json.loads(line) for line in part.get_payload(decode=True).decode().splitlines()]


# --- the first run: exact requests -----------------------------------------------------------------------


def test_first_run_sends_exactly_these_requests_in_order(double):
    bootstrap(double)
    assert sent(double) == FIRST_RUN, f"got {sent(double)}, expected {FIRST_RUN}"


def test_first_run_signs_every_request_with_sigv4_for_es(double):
    bootstrap(double)
    bad = [(r.method, r.path, r.signature) for r in double.requests if r.signature != "valid"]
    assert not bad, f"got requests without a valid SigV4 signature: {bad}"


def test_first_run_reports_every_item_created(double):
    summary = bootstrap(double)
    got = statuses(summary)
    audit = got.pop("audit_log security plugin")
    assert set(got.values()) == {"created"}, f"got statuses {statuses(summary)}, expected all created"
    assert audit == "updated", f"got audit_log {audit}, expected updated (the domain has a configuration, off)"
    assert summary.headline().endswith(": 9 changed, 0 already in place, 0 skipped"), f"got {summary.headline()!r}"
    assert summary.server == "opensearch 2.19.0", f"got server {summary.server!r}"


def test_index_template_is_the_ingest_template_with_the_rollover_alias(double):
    bootstrap(double)
    expected = load_template()
    expected["template"]["settings"]["index"]["plugins"] = {"index_state_management": {"rollover_alias": "retail"}}
    got = body(request_to(double, "PUT", "/_index_template/retail"))
    assert got == expected, f"got {got}, expected the ingest package's template plus the rollover alias"


def test_ism_policy_rolls_over_and_deletes_after_retention_days(double):
    bootstrap(double, retention_days=7, rollover_age="12h", rollover_size="10gb")
    policy = body(request_to(double, "PUT", f"/_plugins/_ism/policies/{POLICY}"))["policy"]
    hot, delete = policy["states"]
    assert hot["actions"] == [{"rollover": {"min_index_age": "12h", "min_size": "10gb"}}], f"got {hot['actions']}"
    assert hot["transitions"] == [{"state_name": "delete", "conditions": {"min_index_age": "7d"}}], f"got {hot}"
    assert (delete["name"], delete["actions"]) == ("delete", [{"delete": {}}]), f"got {delete}"
    assert policy["ism_template"] == [{"index_patterns": ["retail-*"], "priority": 100}], f"got {policy}"


def test_security_role_holds_exactly_the_ingest_permissions(double):
    bootstrap(double)
    got = body(request_to(double, "PUT", "/_plugins/_security/api/roles/retail_ingest"))
    expected_cluster = ["indices:data/write/bulk"]
    expected_index = [
        {"index_patterns": ["retail*"], "allowed_actions": ["indices:data/write/bulk*", "indices:data/write/index"]}
    ]
    assert got["cluster_permissions"] == expected_cluster, (
        f"got {got['cluster_permissions']}, expected {expected_cluster}"
    )
    assert got["index_permissions"] == expected_index, f"got {got['index_permissions']}, expected {expected_index}"


def test_security_role_may_create_indices_only_without_rollover(double):
    bootstrap(double, enable_ism=False)
    got = body(request_to(double, "PUT", "/_plugins/_security/api/roles/retail_ingest"))["index_permissions"]
    expected = ["indices:data/write/bulk*", "indices:data/write/index", "create_index"]
    assert got[0]["allowed_actions"] == expected, f"got {got}, expected {expected}"


def test_role_mapping_maps_only_the_ingest_role_as_backend_role(double):
    bootstrap(double)
    got = body(request_to(double, "PUT", "/_plugins/_security/api/rolesmapping/retail_ingest"))
    expected = {"backend_roles": [INGEST_ROLE_ARN], "hosts": [], "users": []}
    assert got == expected, f"got {got}, expected {expected}"


def test_saved_objects_import_is_a_multipart_ndjson_file_with_xsrf_and_tenant(double):
    bootstrap(double)
    request = request_to(double, "POST", "/_dashboards/api/saved_objects/_import")
    assert request.query == {"overwrite": ["true"]}, f"got query {request.query}, expected overwrite=true"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary="), f"got {request.headers}"
    assert (request.headers.get("osd-xsrf"), request.headers.get("securitytenant")) == ("true", "global")
    got = [(o["type"], o["id"]) for o in imported_objects(request)]
    expected = [("index-pattern", "retail-transactions"), ("visualization", "retail-quantity-over-time"),
                ("dashboard", "retail-sales")]  # fmt: skip
    assert got == expected, f"got {got}, expected {expected}"


def test_write_index_gets_the_alias_the_template_settings_and_the_policy(double):
    bootstrap(double)
    index = double.indices.get("retail-000001")
    assert index is not None, f"got indices {sorted(double.indices)}, expected retail-000001"
    assert index["aliases"] == {"retail": {"is_write_index": True}}, f"got aliases {index['aliases']}"
    rollover_alias = index["settings"]["index"]["plugins"]["index_state_management"]["rollover_alias"]
    assert (rollover_alias, index["policy_id"]) == ("retail", POLICY), f"got {rollover_alias}, {index['policy_id']}"


# --- idempotency and drift ----------------------------------------------------------------------------------


def test_second_run_sends_only_reads(double):
    bootstrap(double)
    double.requests.clear()
    bootstrap(double)
    assert sent(double) == SECOND_RUN, f"got {sent(double)}, expected only the reads {SECOND_RUN}"


def test_second_run_reports_everything_already_in_place(double):
    bootstrap(double)
    summary = bootstrap(double)
    assert set(statuses(summary).values()) == {"unchanged"}, f"got {statuses(summary)}"
    assert summary.as_dict()["changed"] == 0, f"got {summary.as_dict()}"
    assert summary.headline().endswith(": 0 changed, 9 already in place, 0 skipped"), f"got {summary.headline()!r}"


# --- audit logging ---------------------------------------------------------------------------------------------


def test_audit_logging_is_switched_on_leaving_out_only_the_per_request_categories(double):
    bootstrap(double)
    config = double.audit
    got = (config["enabled"], config["audit"]["enable_rest"], config["audit"]["enable_transport"],
           sorted(config["audit"]["disabled_rest_categories"]), config["audit"]["resolve_bulk_requests"],
           config["compliance"]["enabled"], config["compliance"]["internal_config"])  # fmt: skip
    expected = (True, True, True, ["AUTHENTICATED", "GRANTED_PRIVILEGES"], False, True, True)
    assert got == expected, f"got {got}, expected {expected}"


def test_audit_update_keeps_the_settings_it_does_not_set(double):
    # given: a domain whose audit settings were tuned by hand, read-only ones included
    double.audit["audit"]["ignore_users"] = ["kibanaserver", "monitoring"]
    double.audit["audit"]["exclude_sensitive_headers"] = False  # read-only on Amazon OpenSearch Service
    # when
    bootstrap(double)
    # then: the PUT carried them unchanged (a PUT replaces the whole configuration; a read-only change is a 409)
    sent_config = body(request_to(double, "PUT", "/_plugins/_security/api/audit/config"))
    assert "_readonly" not in sent_config, f"got {sorted(sent_config)}, expected the configuration only"
    kept = (double.audit["audit"]["ignore_users"], double.audit["audit"]["exclude_sensitive_headers"])
    assert kept == (["kibanaserver", "monitoring"], False), f"got {kept}, expected the hand-tuned values kept"
    assert double.audit["enabled"] is True, "got audit logging still off"


def test_audit_switched_off_out_of_band_is_switched_on_again_alone(double):
    bootstrap(double)
    double.audit["enabled"] = False
    double.requests.clear()
    summary = bootstrap(double)
    got = [(r.method, r.path) for r in double.writes()]
    assert got == [("PUT", "/_plugins/_security/api/audit/config")], f"got writes {got}"
    step = next(s for s in summary.steps if s.kind == "audit_log")
    assert (step.status.value, step.detail.endswith("enabled differed")) == ("updated", True), f"got {step}"


def test_audit_categories_in_another_order_are_already_in_place(double):
    bootstrap(double)  # the double answers the category lists reversed, as a set inside the plugin would
    assert double.audit["audit"]["disabled_rest_categories"] == ["AUTHENTICATED", "GRANTED_PRIVILEGES"]
    double.requests.clear()
    bootstrap(double)
    assert double.writes() == [], f"got writes {[(r.method, r.path) for r in double.writes()]}, expected none"


def test_enable_audit_log_false_leaves_the_audit_configuration_alone(double):
    summary = bootstrap(double, enable_audit_log=False)
    assert not [r for r in double.requests if "/audit" in r.path], "got audit API requests"
    assert statuses(summary)["audit_log security plugin"] == "skipped", f"got {statuses(summary)}"
    assert double.audit["enabled"] is False, "got audit logging switched on"


@pytest.mark.parametrize(
    "fields",
    [{}, {"enable_ism": False}, {"access_control": "iam", "ingest_role_arn": None}, {"enable_dashboards": False},
     {"enable_audit_log": False}, {"index": "sales", "index_pattern": "sales*", "role_name": "sales_ingest"}],
)  # fmt: skip
def test_every_request_sent_is_one_the_session_policy_allows(double, fields):
    bootstrap(double, **fields)
    bootstrap(double, **fields)  # the second run's reads too
    allowed = set(resources.api_requests(settings_for(double, **fields)))
    extra = sorted({(r.method, r.path) for r in double.requests} - allowed)
    assert not extra, f"got requests outside resources.api_requests (the bootstrap's IAM policy refuses them): {extra}"


def test_changed_retention_updates_the_policy_naming_the_version_it_replaces(double):
    bootstrap(double)
    seq_no = double.policies[POLICY]["seq_no"]
    double.requests.clear()
    summary = bootstrap(double, retention_days=90)
    (write,) = double.writes()
    assert (write.method, write.path) == ("PUT", f"/_plugins/_ism/policies/{POLICY}"), f"got {write.path}"
    expected = {"if_seq_no": [str(seq_no)], "if_primary_term": ["1"]}
    assert write.query == expected, f"got {write.query}, expected {expected}"
    step = statuses(summary)[f"ism_policy {POLICY}"]
    assert step == "updated", f"got {step}, expected updated"
    detail = next(s.detail for s in summary.steps if s.kind == "ism_policy")
    expected_paths = "policy.description, policy.states[0].transitions[0].conditions.min_index_age differed"
    assert detail.endswith(expected_paths), f"got {detail!r}, expected it to end with {expected_paths!r}"


def test_policy_changed_concurrently_fails_on_the_version_conflict(double):
    bootstrap(double)

    def someone_else_updates_first(recorded):
        if recorded.method == "PUT" and "/_ism/" in recorded.path:
            double.policies[POLICY]["seq_no"] += 1
        return None

    double.request_fault = someone_else_updates_first
    with pytest.raises(StepFailed) as failure:
        bootstrap(double, retention_days=90)
    assert "answered HTTP 409: version_conflict_engine_exception" in str(failure.value), f"got {failure.value}"


def test_role_edited_out_of_band_is_restored_alone(double):
    bootstrap(double)
    double.roles["retail_ingest"]["cluster_permissions"] = ["cluster_all"]
    double.requests.clear()
    summary = bootstrap(double)
    got = [(r.method, r.path) for r in double.writes()]
    assert got == [("PUT", "/_plugins/_security/api/roles/retail_ingest")], f"got writes {got}"
    assert double.roles["retail_ingest"]["cluster_permissions"] == ["indices:data/write/bulk"], "got the edit kept"
    assert statuses(summary)["security_role retail_ingest"] == "updated", f"got {statuses(summary)}"


def test_mapping_with_another_backend_role_is_replaced_by_the_ingest_role(double):
    bootstrap(double)
    double.mappings["retail_ingest"]["backend_roles"].append("arn:aws:iam::123456789012:role/someone")
    bootstrap(double)
    got = double.mappings["retail_ingest"]["backend_roles"]
    assert got == [INGEST_ROLE_ARN], f"got backend roles {got}, expected only the ingest role"


def test_saved_object_edited_in_dashboards_is_reimported_alone(double):
    bootstrap(double)
    stored = double.saved_objects[("global", "visualization", "retail-quantity-over-time")]
    stored["attributes"]["visState"] = stored["attributes"]["visState"].replace('"Quantity"', '"Price"')
    double.requests.clear()
    summary = bootstrap(double)
    (request,) = double.writes()
    got = [(o["type"], o["id"]) for o in imported_objects(request)]
    assert got == [("visualization", "retail-quantity-over-time")], f"got {got} imported"
    step = statuses(summary)["saved_object visualization/retail-quantity-over-time"]
    assert step == "updated", f"got {step}"


def test_saved_objects_compare_json_attributes_by_value_not_spelling(double):
    bootstrap(double)
    stored = double.saved_objects[("global", "visualization", "retail-quantity-over-time")]
    stored["attributes"]["visState"] = json.dumps(json.loads(stored["attributes"]["visState"]), indent=4)
    double.requests.clear()
    bootstrap(double)
    assert double.writes() == [], f"got writes {[(r.method, r.path) for r in double.writes()]}, expected none"


# --- dry run ---------------------------------------------------------------------------------------------------


def test_dry_run_sends_no_writes_and_reports_what_it_would_create(double):
    summary = bootstrap(double, dry_run=True)
    assert double.writes() == [], f"got writes {[(r.method, r.path) for r in double.writes()]}"
    got = statuses(summary)
    assert got.pop("audit_log security plugin") == "would update", f"got {statuses(summary)}"
    assert set(got.values()) == {"would create"}, f"got {statuses(summary)}"
    assert summary.headline().startswith("dry run: "), f"got {summary.headline()!r}"


def test_dry_run_reports_a_pending_update(double):
    bootstrap(double)
    summary = bootstrap(double, dry_run=True, retention_days=90)
    assert double.policies[POLICY]["policy"]["states"][0]["transitions"][0]["conditions"]["min_index_age"] == "30d"
    assert statuses(summary)[f"ism_policy {POLICY}"] == "would update", f"got {statuses(summary)}"


# --- what a domain supports or a run asks for ------------------------------------------------------------------


def test_domain_without_ism_gets_no_policy_no_alias_and_a_plain_template():
    with OpenSearchAdminDouble(components=[SECURITY], credentials=CREDENTIALS) as double:
        summary = bootstrap(double)
    got = {k: v for k, v in statuses(summary).items() if k.startswith(("ism_policy", "write_alias"))}
    assert set(got.values()) == {"skipped"}, f"got {got}, expected skipped"
    assert not [r for r in double.requests if "_ism" in r.path or "_alias" in r.path], "got ISM or alias requests"
    template = body(request_to(double, "PUT", "/_index_template/retail"))
    assert template == load_template(), "got a template that differs from the ingest package's file"


def test_enable_ism_false_skips_policy_and_alias(double):
    summary = bootstrap(double, enable_ism=False)
    skipped = [s.kind for s in summary.steps if s.status.value == "skipped"]
    assert skipped == ["ism_policy", "write_alias"], f"got skipped {skipped}"
    assert not double.policies, f"got policies {double.policies}"
    assert not double.indices, f"got indices {double.indices}"


def test_access_control_iam_skips_the_security_api(double):
    summary = bootstrap(double, access_control="iam", ingest_role_arn=None)
    assert not [r for r in double.requests if "_security" in r.path], "got security API requests"
    got = {k: v for k, v in statuses(summary).items() if k.startswith(("security_role", "role_mapping"))}
    assert set(got.values()) == {"skipped"}, f"got {got}"


def test_enable_dashboards_false_calls_no_dashboards_api(double):
    summary = bootstrap(double, enable_dashboards=False)
    assert not [r for r in double.requests if r.path.startswith("/_dashboards")], "got Dashboards requests"
    assert double.saved_objects == {}, f"got {double.saved_objects}"
    assert sum(s.status.value == "skipped" for s in summary.steps) == 3, f"got {statuses(summary)}"


def test_dashboards_url_points_the_saved_objects_at_another_host(double):
    with OpenSearchAdminDouble(dashboards_prefix="", credentials=CREDENTIALS) as dashboards:
        bootstrap(double, dashboards_url=dashboards.url + "/")
    assert len(dashboards.saved_objects) == 3, f"got {len(dashboards.saved_objects)} objects on the Dashboards host"
    assert not [r for r in double.requests if "saved_objects" in r.path], "got saved-object requests on the domain"


def test_empty_dashboards_tenant_sends_no_tenant_header(double):
    bootstrap(double, dashboards_tenant="")
    headers = [r.headers for r in double.requests if r.path.startswith("/_dashboards")]
    assert headers, "got no Dashboards requests"
    assert all("securitytenant" not in h for h in headers), "got a securitytenant header"
    assert ("", "dashboard", "retail-sales") in double.saved_objects, f"got {list(double.saved_objects)}"


def test_custom_names_and_pattern_reach_every_item(double):
    bootstrap(double, index="sales", index_pattern="sales*", template_name="sales", ism_policy_id="sales-ism",
              role_name="sales_ingest")  # fmt: skip
    names = (list(double.templates), list(double.policies))
    assert names == (["sales"], ["sales-ism"]), f"got template and policy names {names}"
    assert double.indices["sales-000001"]["policy_id"] == "sales-ism", f"got {double.indices}"
    patterns = double.roles["sales_ingest"]["index_permissions"][0]["index_patterns"]
    title = double.saved_objects[("global", "index-pattern", resources.INDEX_PATTERN_ID)]["attributes"]["title"]
    assert (patterns, title) == (["sales*"], "sales*"), f"got {patterns}, {title}"


# --- failures --------------------------------------------------------------------------------------------------


def test_concrete_index_in_place_of_the_alias_fails_with_what_to_do(double):
    double.indices["retail"] = {"aliases": {}, "settings": {}, "policy_id": None}
    with pytest.raises(StepFailed) as failure:
        bootstrap(double)
    message = str(failure.value)
    assert "index 'retail' exists as a concrete index" in message, f"got {message!r}"
    assert "reindex it into retail-000001" in message, f"got {message!r}"
    done = [s.kind for s in failure.value.summary.steps]
    assert done == ["index_template", "ism_policy"], f"got steps done before the failure: {done}"
    assert double.roles == {}, f"got roles {double.roles}, expected the ingest role left unmapped"


def test_forbidden_security_api_fails_naming_the_status_and_who_must_sign(double):
    double.request_fault = lambda r: (
        (403, "no permissions for [restapi:admin/roles]") if "_security" in r.path else None
    )
    with pytest.raises(StepFailed) as failure:
        bootstrap(double)
    message = str(failure.value)
    assert "/_plugins/_security/api/roles/retail_ingest answered HTTP 403" in message, f"got {message!r}"
    assert "master user" in message, f"got {message!r}"
    assert "\n" not in message, f"got {message!r}"


def test_dashboards_import_errors_are_reported(double):
    def rename_index_pattern(recorded):  # the visualization's reference then points at nothing
        if recorded.path.endswith("/_import"):
            recorded.body = recorded.body.replace(b'"id":"retail-transactions","migrationVersion"',
                                                  b'"id":"renamed","migrationVersion"')  # fmt: skip
        return None

    double.request_fault = rename_index_pattern
    with pytest.raises(StepFailed) as failure:
        bootstrap(double)
    message = str(failure.value)
    assert message.startswith("Dashboards did not import the saved objects: visualization/"), f"got {message!r}"
    assert "missing_references" in message, f"got {message!r}"


def test_unreachable_endpoint_fails_with_one_line_error():
    with OpenSearchAdminDouble() as double:
        url = double.url
    with pytest.raises(BootstrapError) as failure:
        bootstrap(type("Gone", (), {"url": url})(), timeout_seconds=2)
    message = str(failure.value)
    assert message.startswith(f"GET {url}/ failed: "), f"got {message!r}"
    assert "\n" not in message, f"got {message!r}"


# --- credentials ---------------------------------------------------------------------------------------------


def test_requests_are_signed_with_refreshed_credentials():
    # given: credentials that expire within botocore's refresh window, so every use renews them
    keys = iter([f"AKIDROTATE{i}" for i in range(100)])

    def renew() -> dict[str, str]:
        expiry = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
        return {"access_key": next(keys), "secret_key": "rotating", "token": None, "expiry_time": expiry}

    credentials = RefreshableCredentials.create_from_metadata(renew(), renew, "test")
    accepted = {f"AKIDROTATE{i}": ("rotating", None) for i in range(100)}
    with OpenSearchAdminDouble(credentials=accepted) as double:
        # when
        bootstrap(double, credentials=credentials)
    # then
    used = [r.headers["authorization"].split("Credential=")[1].split("/")[0] for r in double.requests]
    assert len(set(used)) > 1, f"got every request signed with {set(used)}, expected renewed keys"
    assert all(r.signature == "valid" for r in double.requests), "got an invalid signature"


def test_master_role_credentials_sign_with_the_assumed_session():
    sts = session().client("sts")
    expiration = datetime.now(UTC) + timedelta(hours=1)
    answer = {"Credentials": {"AccessKeyId": "ASIAMASTERROLE01", "SecretAccessKey": "master-secret",
                              "SessionToken": "master-token", "Expiration": expiration}}  # fmt: skip
    master = "arn:aws:iam::123456789012:role/retail-opensearch-master"
    with (
        Stubber(sts) as stub,
        OpenSearchAdminDouble(credentials={"ASIAMASTERROLE01": ("master-secret", "master-token")}) as double,
    ):
        stub.add_response("assume_role", answer, {"RoleArn": master, "RoleSessionName": "opensearch-bootstrap"})
        bootstrap(double, credentials=assumed_role_credentials(sts, master))
    assert all(r.signature == "valid" for r in double.requests), "got requests not signed as the master role"


def test_master_role_session_is_narrowed_by_the_session_policy_arn():
    sts = session().client("sts")
    expiration = datetime.now(UTC) + timedelta(hours=1)
    answer = {"Credentials": {"AccessKeyId": "ASIAMASTERROLE02", "SecretAccessKey": "s", "SessionToken": "t",
                              "Expiration": expiration}}  # fmt: skip
    master = "arn:aws:iam::123456789012:role/retail-opensearch-master"
    narrow = "arn:aws:iam::123456789012:policy/retail-opensearch-bootstrap-requests"
    settings = Settings.from_event({"endpoint": "https://search.example", "region": "us-east-1",
                                    "ingest_role_arn": INGEST_ROLE_ARN, "master_role_arn": master,
                                    "session_policy_arn": narrow})  # fmt: skip
    expected = {"RoleArn": master, "RoleSessionName": "opensearch-bootstrap", "PolicyArns": [{"arn": narrow}]}
    with Stubber(sts) as stub:
        stub.add_response("assume_role", answer, expected)
        credentials = signing_credentials(settings, FixedSession(session(), sts))
        assert credentials.get_frozen_credentials().access_key == "ASIAMASTERROLE02"
        stub.assert_no_pending_responses()


class FixedSession:
    """A boto3 session whose STS client is the given (stubbed) one."""

    def __init__(self, real, sts) -> None:
        self.real, self.sts = real, sts

    def get_credentials(self):
        return self.real.get_credentials()

    def client(self, service: str, **kwargs):
        assert service == "sts", f"got a {service} client, expected only STS"
        return self.sts


def test_failed_assume_role_is_a_one_line_error():
    sts = session().client("sts")
    with Stubber(sts) as stub:
        stub.add_client_error("assume_role", "AccessDenied", "not authorized to perform sts:AssumeRole")
        with pytest.raises(BootstrapError) as failure:
            assumed_role_credentials(sts, "arn:aws:iam::123456789012:role/master")
    message = str(failure.value)
    assert message.startswith("could not assume master_role_arn arn:aws:iam::123456789012:role/master: ")
    assert "AccessDenied" in message, f"got {message!r}"


def test_sts_is_called_at_its_regional_name_where_the_sdk_would_use_the_global_one(monkeypatch):
    # in a VPC without internet access, the STS interface endpoint answers only at sts.<region>.amazonaws.com
    monkeypatch.setenv("AWS_STS_REGIONAL_ENDPOINTS", "legacy")  # older SDKs' default: sts.amazonaws.com in us-east-1
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS"):
        monkeypatch.delenv(name, raising=False)
    url = client_module._session("us-east-1").client("sts").meta.endpoint_url
    assert url == "https://sts.us-east-1.amazonaws.com", f"got {url}, expected the regional STS endpoint"
