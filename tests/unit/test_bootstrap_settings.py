"""The bootstrap's inputs (the Lambda event, the CLI's flags): defaults, and one clear error per bad value."""

from __future__ import annotations

import pytest

from opensearch_bootstrap.settings import ConfigError, Settings

pytestmark = pytest.mark.unit

ROLE = "arn:aws:iam::123456789012:role/retail-ingest"
MINIMAL = {"endpoint": "search-retail-abc.us-east-1.es.amazonaws.com", "region": "us-east-1", "ingest_role_arn": ROLE}


def test_minimal_event_gets_the_lab_defaults():
    got = Settings.from_event(MINIMAL)
    summary = (got.endpoint.url, got.index, got.index_pattern, got.template_name, got.enable_ism, got.retention_days,
               got.access_control, got.role_name, got.enable_dashboards, got.dashboards.url, got.dry_run)  # fmt: skip
    expected = ("https://search-retail-abc.us-east-1.es.amazonaws.com:443", "retail", "retail*", "retail", True, 30,
                "fine_grained", "retail_ingest", True,
                "https://search-retail-abc.us-east-1.es.amazonaws.com:443/_dashboards", False)  # fmt: skip
    assert summary == expected, f"got {summary}, expected {expected}"


def test_region_comes_from_aws_region_when_the_event_has_none():
    got = Settings.from_event({k: v for k, v in MINIMAL.items() if k != "region"}, environ={"AWS_REGION": "eu-west-1"})
    assert got.region == "eu-west-1", f"got {got.region}"


def test_event_region_wins_over_the_environment():
    got = Settings.from_event(MINIMAL, environ={"AWS_REGION": "eu-west-1"})
    assert got.region == "us-east-1", f"got {got.region}"


def test_dashboards_url_keeps_its_path_as_prefix():
    got = Settings.from_event(MINIMAL | {"dashboards_url": "http://localhost:5601/osd/"}).dashboards
    assert (got.endpoint.url, got.prefix) == ("http://localhost:5601", "/osd"), f"got {got}"


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:9200", "http://localhost:9200", "http://[::1]:9200"])
def test_http_endpoint_on_this_machine_needs_no_opt_in(endpoint):
    got = Settings.from_event(MINIMAL | {"endpoint": endpoint})
    assert got.endpoint.scheme == "http", f"got {got.endpoint}"


def test_http_endpoint_elsewhere_needs_the_explicit_opt_in():
    got = Settings.from_event(MINIMAL | {"endpoint": "http://opensearch-double:9200", "allow_http": True})
    assert (got.endpoint.url, got.allow_http) == ("http://opensearch-double:9200", True), f"got {got}"


def test_http_refusal_names_the_opt_in():
    with pytest.raises(ConfigError, match=r"or with allow_http=true \(--allow-http\) for a test double"):
        Settings.from_event(MINIMAL | {"endpoint": "http://opensearch-double:9200"})


def test_iam_access_control_needs_no_ingest_role():
    got = Settings.from_event({k: v for k, v in MINIMAL.items() if k != "ingest_role_arn"} | {"access_control": "iam"})
    assert (got.access_control, got.ingest_role_arn) == ("iam", None), f"got {got}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"endpoint": None}, "endpoint is required"),
        ({"endpoint": "https://search-x/_dashboards"}, "endpoint='https://search-x/_dashboards' must not have a path"),
        ({"endpoint": "ftp://x"}, "endpoint='ftp://x' must be an https URL"),
        ({"endpoint": 443}, "endpoint must be a string, got int 443"),
        ({"region": None}, "region is not set"),
        ({"region": "Europe"}, "region='Europe' is not an AWS region such as us-east-1"),
        ({"ingest_role_arn": None}, "ingest_role_arn is required with access_control='fine_grained'"),
        ({"ingest_role_arn": "arn:aws:iam::1:role/x"}, "ingest_role_arn='arn:aws:iam::1:role/x' must be an IAM role"),
        ({"ingest_role_arn": "arn:aws:iam::123456789012:user/b"}, "ingest_role_arn='arn:aws:iam::123456789012:user/b"),
        ({"master_role_arn": "retail-master"}, "master_role_arn='retail-master' must be an IAM role ARN"),
        ({"retention_days": 0}, "retention_days must be a whole number of days from 1 to 36500, got 0"),
        ({"retention_days": "30"}, "retention_days must be a whole number of days from 1 to 36500, got '30'"),
        ({"retention_days": True}, "retention_days must be a whole number of days from 1 to 36500, got True"),
        ({"retention_days": 36501}, "retention_days must be a whole number of days from 1 to 36500, got 36501"),
        ({"rollover_age": "1w"}, "rollover_age='1w' must be a whole number and d, h, m or s"),
        ({"rollover_size": "30GB"}, "rollover_size='30GB' must be a whole number and b, kb, mb, gb, tb or pb"),
        ({"access_control": "none"}, "access_control='none' must be one of fine_grained, iam"),
        ({"enable_ism": "yes"}, "enable_ism must be true or false, got 'yes'"),
        ({"dry_run": 1}, "dry_run must be true or false, got 1"),
        ({"index": "Retail"}, "index='Retail' is not a valid index or alias name"),
        ({"index_pattern": "Retail*"}, "index_pattern='Retail*' must be a lowercase index name"),
        ({"index": "sales"}, "index='sales' and its rollover indices (sales-000001, ...) must match index_pattern="),
        ({"template_name": "Retail Template"}, "template_name='Retail Template' must be letters, digits"),
        ({"role_name": "retail ingest"}, "role_name='retail ingest' must be letters, digits"),
        ({"dashboards_url": "localhost:5601"}, "dashboards_url='localhost:5601' must be an http(s) URL"),
        ({"dashboards_tenant": 7}, "dashboards_tenant must be a tenant name"),
        ({"endpoint": "http://search.example.com"}, "endpoint='http://search.example.com' uses http://"),
        ({"dashboards_url": "http://10.0.0.5:5601"}, "dashboards_url='http://10.0.0.5:5601' uses http://"),
        ({"allow_http": "yes"}, "allow_http must be true or false, got 'yes'"),
        ({"session_policy_arn": "arn:aws:iam::1:role/x"}, "session_policy_arn='arn:aws:iam::1:role/x' must be an IAM"),
        ({"enable_audit_log": "on"}, "enable_audit_log must be true or false, got 'on'"),
        ({"timeout_seconds": 0}, "timeout_seconds must be a number of seconds above 0 and at most 300, got 0"),
        ({"timeout_seconds": "30"}, "timeout_seconds must be a number of seconds above 0 and at most 300, got '30'"),
        ({"retention_day": 7}, "unknown event field(s) 'retention_day'; known: "),
    ],
)  # fmt: skip
def test_bad_value_is_refused_naming_the_field(change, message):
    event = {k: v for k, v in (MINIMAL | change).items() if v is not None}
    with pytest.raises(ConfigError) as failure:
        Settings.from_event(event, environ={})
    assert str(failure.value).startswith(message), f"got {str(failure.value)!r}, expected it to start with {message!r}"


def test_event_that_is_not_an_object_is_refused():
    with pytest.raises(ConfigError) as failure:
        Settings.from_event(["endpoint"])
    assert str(failure.value) == "the event must be a JSON object, got list", f"got {failure.value}"


def test_null_fields_take_their_defaults():
    nulls = dict.fromkeys(("master_role_arn", "retention_days", "enable_ism", "dashboards_url", "timeout_seconds"))
    got = Settings.from_event(MINIMAL | nulls)
    summary = (got.master_role_arn, got.retention_days, got.enable_ism, got.dashboards.prefix, got.timeout_seconds)
    assert summary == (None, 30, True, "/_dashboards", 30.0), f"got {summary}"
