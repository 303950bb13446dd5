"""The ingest function's settings from its environment."""

from __future__ import annotations

import pytest

from ingest_opensearch.config import ConfigError, Endpoint, Settings, parse_endpoint

pytestmark = pytest.mark.unit

BASE = {
    "OPENSEARCH_ENDPOINT": "search-retail-abc.us-east-1.es.amazonaws.com",
    "DEAD_LETTER_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/000000000000/retail-ingest-dlq",
    "AWS_REGION": "us-east-1",
}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "search-retail-abc.us-east-1.es.amazonaws.com",
            Endpoint("https", "search-retail-abc.us-east-1.es.amazonaws.com", 443),
        ),
        ("https://search-retail.example.com/", Endpoint("https", "search-retail.example.com", 443)),
        ("https://search-retail.example.com:9200", Endpoint("https", "search-retail.example.com", 9200)),
        ("http://127.0.0.1:9200", Endpoint("http", "127.0.0.1", 9200)),
    ],
)
def test_parse_endpoint_accepts_url_or_bare_host(raw, expected):
    got = parse_endpoint(raw)
    assert got == expected, f"got {got}, expected {expected}"


@pytest.mark.parametrize("raw", ["ftp://host", "https://host/some/path", "https://host:99999", "https://"])
def test_parse_endpoint_rejects_malformed(raw):
    with pytest.raises(ConfigError, match="OPENSEARCH_ENDPOINT"):
        parse_endpoint(raw)


@pytest.mark.parametrize("raw", ["http://search-retail.example.com", "http://10.0.0.5:9200", "http://[::2]:9200"])
def test_parse_endpoint_refuses_http_to_another_host(raw):
    with pytest.raises(ConfigError, match=r"uses http://, which would send signed requests unencrypted"):
        parse_endpoint(raw)


@pytest.mark.parametrize(
    "raw", ["http://127.0.0.1:9200", "http://127.1.2.3", "http://localhost:9200", "http://[::1]:9200"]
)
def test_parse_endpoint_accepts_http_to_this_machine(raw):
    assert parse_endpoint(raw).scheme == "http", f"got {parse_endpoint(raw)}"


def test_settings_accept_http_elsewhere_only_with_the_opt_in():
    double = {"OPENSEARCH_ENDPOINT": "http://opensearch-double:9200"}
    with pytest.raises(ConfigError, match="OPENSEARCH_ALLOW_HTTP=true"):
        Settings.from_env(BASE | double)
    got = Settings.from_env(BASE | double | {"OPENSEARCH_ALLOW_HTTP": "true"})
    assert (got.endpoint.url, got.allow_http) == ("http://opensearch-double:9200", True), f"got {got}"


def test_settings_refuse_a_malformed_http_opt_in():
    with pytest.raises(ConfigError, match="OPENSEARCH_ALLOW_HTTP='yes' must be true or false"):
        Settings.from_env(BASE | {"OPENSEARCH_ALLOW_HTTP": "yes"})


def test_settings_defaults_follow_the_contract():
    got = Settings.from_env(BASE)
    assert (got.index, got.required_fields, got.date_fields) == (
        "retail",
        ("Invoice", "StockCode", "Quantity", "InvoiceDate", "Price", "Country"),
        ("InvoiceDate",),
    ), f"got {got}"


def test_settings_lists_are_parsed_and_deduplicated():
    got = Settings.from_env(BASE | {"REQUIRED_FIELDS": " Invoice, Price ,Invoice,", "DATE_FIELDS": "InvoiceDate"})
    assert got.required_fields == ("Invoice", "Price"), f"got {got.required_fields}, expected ('Invoice', 'Price')"


@pytest.mark.parametrize("missing", ["OPENSEARCH_ENDPOINT", "DEAD_LETTER_QUEUE_URL", "AWS_REGION"])
def test_settings_missing_variable_names_it(missing):
    with pytest.raises(ConfigError, match=missing):
        Settings.from_env({k: v for k, v in BASE.items() if k != missing})


@pytest.mark.parametrize("index", ["Retail", "re tail", "_retail", "retail*"])
def test_settings_invalid_index_is_rejected(index):
    with pytest.raises(ConfigError, match="OPENSEARCH_INDEX"):
        Settings.from_env(BASE | {"OPENSEARCH_INDEX": index})


def test_settings_bulk_limits_must_be_positive():
    with pytest.raises(ConfigError, match="BULK_MAX_BYTES"):
        Settings.from_env(BASE | {"BULK_MAX_BYTES": "0"})
