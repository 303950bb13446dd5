"""What the bootstrap writes: the template is the ingest package's one file, the Dashboards objects in
saved_objects.ndjson are the lab's (index pattern, date histogram of sum(Quantity), dashboard), and the
security role covers every request the ingest function makes — recorded against the bulk test double."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase

import boto3
import pytest

from ingest_opensearch.bulk import build_client, index_documents
from ingest_opensearch.config import parse_endpoint
from ingest_opensearch.records import Document, document_id
from ingest_opensearch.template import TEMPLATE_FILE, load_template
from opensearch_bootstrap import resources
from opensearch_bootstrap.settings import Settings
from tests.doubles.opensearch_bulk import OpenSearchBulkDouble
from tests.lambda_support import sample_record

pytestmark = pytest.mark.unit

SETTINGS = Settings.from_event(
    {"endpoint": "https://search.example", "region": "us-east-1", "ingest_role_arn": "arn:aws:iam::123456789012:role/i"}
)


def objects_by_type() -> dict[str, dict]:
    return {o["type"]: o for o in resources.saved_objects(SETTINGS)}


def test_template_without_rollover_is_the_ingest_packages_file_unchanged():
    got = resources.index_template(SETTINGS, rollover=False)
    assert got == load_template(), f"got {got}, expected the content of {TEMPLATE_FILE}"


def test_template_is_read_from_the_ingest_package_only():
    package = resources.SAVED_OBJECTS_FILE.parent
    copies = sorted(p.name for p in package.iterdir() if "template" in p.name)
    assert copies == [], f"got {copies} in {package}, expected the template only in {TEMPLATE_FILE.parent}"


def test_saved_objects_file_holds_an_index_pattern_a_visualization_and_a_dashboard():
    got = [(o["type"], o["id"]) for o in resources.saved_objects(SETTINGS)]
    expected = [("index-pattern", "retail-transactions"), ("visualization", "retail-quantity-over-time"),
                ("dashboard", "retail-sales")]  # fmt: skip
    assert got == expected, f"got {got}, expected {expected}"


def test_index_pattern_is_retail_star_with_invoice_date_as_time_field():
    attributes = objects_by_type()["index-pattern"]["attributes"]
    got = (attributes["title"], attributes["timeFieldName"])
    assert got == ("retail*", "InvoiceDate"), f"got {got}"


def test_visualization_is_a_date_histogram_of_the_sum_of_quantity():
    visualization = objects_by_type()["visualization"]
    state = json.loads(visualization["attributes"]["visState"])
    aggs = {(a["schema"], a["type"], a["params"]["field"]) for a in state["aggs"]}
    expected = {("metric", "sum", "Quantity"), ("segment", "date_histogram", "InvoiceDate")}
    assert aggs == expected, f"got aggregations {aggs}, expected {expected}"
    source = json.loads(visualization["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    (reference,) = visualization["references"]
    assert reference["name"] == source["indexRefName"], f"got {reference} for {source['indexRefName']}"
    assert (reference["type"], reference["id"]) == ("index-pattern", resources.INDEX_PATTERN_ID), f"got {reference}"


def test_dashboard_shows_the_visualization():
    dashboard = objects_by_type()["dashboard"]
    (panel,) = json.loads(dashboard["attributes"]["panelsJSON"])
    (reference,) = dashboard["references"]
    assert reference["name"] == panel["panelRefName"], f"got {reference} for panel {panel}"
    assert (reference["type"], reference["id"]) == ("visualization", "retail-quantity-over-time"), f"got {reference}"


def test_index_pattern_title_follows_the_index_pattern_setting():
    settings = Settings.from_event({"endpoint": "https://s", "region": "us-east-1", "access_control": "iam",
                                    "index": "sales", "index_pattern": "sales*"})  # fmt: skip
    (pattern,) = [o for o in resources.saved_objects(settings) if o["type"] == "index-pattern"]
    assert pattern["attributes"]["title"] == "sales*", f"got {pattern['attributes']['title']}"


def test_ingest_function_sends_only_requests_the_role_covers():
    # given: the ingest function's bulk path against the bulk double, recording every request it sends
    session = boto3.Session(aws_access_key_id="AKID", aws_secret_access_key="s", region_name="us-east-1")
    records = [sample_record(i, "role") for i in range(3)]
    with OpenSearchBulkDouble() as double:
        client = build_client(parse_endpoint(double.url), "us-east-1", 10.0, session)
        # when
        index_documents(client, "retail", [Document(document_id(r), r) for r in records], 1000, 5 * 1024 * 1024)
    # then: bulk index actions on one retail index, nothing else; the role grants exactly these
    sent = {(r.method, r.path) for r in double.requests}
    assert sent == {("POST", "/retail/_bulk")}, f"got {sent}: update resources.ingest_role for the new requests"
    actions = {next(iter(json.loads(line))) for line in double.requests[0].body.decode().splitlines()[::2]}
    assert actions == {"index"}, f"got bulk actions {actions}, expected only index"
    role = resources.ingest_role(SETTINGS, rollover=True)
    assert role["cluster_permissions"] == ["indices:data/write/bulk"], f"got {role['cluster_permissions']}"
    (permission,) = role["index_permissions"]
    assert fnmatchcase("retail", permission["index_patterns"][0]), f"got patterns {permission['index_patterns']}"
    assert {"indices:data/write/index", "indices:data/write/bulk*"} <= set(permission["allowed_actions"])


# --- the requests a run may send (what terraform/opensearch.tf allows the bootstrap) ------------------------------


def test_api_requests_name_the_audit_configuration_and_no_other_security_api():
    security = sorted(p for _, p in resources.api_requests(SETTINGS) if p.startswith("/_plugins/_security/"))
    named = [f"/_plugins/_security/api/{c}/retail_ingest" for c in ("roles", "rolesmapping")] * 2  # GET and PUT
    expected = sorted(["/_plugins/_security/api/audit", "/_plugins/_security/api/audit/config", *named])
    assert security == expected, f"got {security}, expected {expected}"


def test_api_requests_never_delete():
    methods = {m for m, _ in resources.api_requests(SETTINGS)}
    assert methods == {"GET", "PUT", "POST"}, f"got methods {sorted(methods)}, expected GET, PUT and POST only"


def test_api_requests_leave_out_dashboards_on_another_host():
    event = {"endpoint": "https://search.example", "region": "us-east-1", "dashboards_url": "http://localhost:5601"}
    settings = Settings.from_event(event | {"ingest_role_arn": "arn:aws:iam::123456789012:role/i"})
    assert not [p for _, p in resources.api_requests(settings) if "saved_objects" in p], "got Dashboards paths"
