"""The search stand-in `make up` starts beside the emulator (tools/search_standin.py): the bulk protocol as the
ingest function's client speaks it, what it keeps on disk, and the harness passing its endpoint to Terraform."""

from __future__ import annotations

import json
import shutil
import socket
import urllib.error
import urllib.request

import pytest

from ingest_opensearch import bulk
from ingest_opensearch.config import parse_endpoint
from ingest_opensearch.records import to_document
from tests.bad_inputs import busy_port
from tests.lambda_support import encode, sample_record
from tools import cli, search_standin
from tools.search_standin import BulkSyntaxError, StandInServer, parse_bulk
from tools.targets import Target

pytestmark = pytest.mark.unit

REQUIRED = ("Invoice", "StockCode", "Quantity", "InvoiceDate", "Price", "Country")
CREDENTIALS = type("Credentials", (), {"access_key": "test", "secret_key": "test", "token": None})()


@pytest.fixture
def server(tmp_path):
    with StandInServer(tmp_path / "data") as running:
        yield running


def client(url: str):
    return bulk.build_client(parse_endpoint(url), "us-east-1", 5.0, credentials=CREDENTIALS)


def documents(n: int, tag: str):
    return [to_document(encode(sample_record(i, tag)), REQUIRED, ("InvoiceDate",)) for i in range(n)]


def test_ingest_client_indexes_into_the_standin_and_every_item_is_created(server):
    results = bulk.index_documents(client(server.url), "retail", documents(5, "c"), 1000, 5 * 1024 * 1024)
    got = [(r.outcome, r.status) for r in results]
    assert got == [(bulk.Outcome.INDEXED, 201)] * 5, f"got {got}"


def test_standin_overwrites_a_document_sent_again_under_its_id(server, tmp_path):
    docs = documents(3, "o")
    opensearch = client(server.url)
    bulk.index_documents(opensearch, "retail", docs, 1000, 5 * 1024 * 1024)
    again = bulk.index_documents(opensearch, "retail", docs[:1], 1000, 5 * 1024 * 1024)
    kept = search_standin.documents(tmp_path / "data", "retail")
    assert [r.status for r in again] == [200], f"got {[r.status for r in again]}, expected 200 (updated)"
    assert kept == {d.doc_id: d.source for d in docs}, f"got {len(kept)} documents, expected 3"


def test_standin_keeps_documents_on_disk_across_a_restart(tmp_path):
    docs = documents(2, "r")
    with StandInServer(tmp_path / "data") as first:
        bulk.index_documents(client(first.url), "retail", docs, 1000, 5 * 1024 * 1024)
    with StandInServer(tmp_path / "data") as second:
        again = bulk.index_documents(client(second.url), "retail", docs, 1000, 5 * 1024 * 1024)
    assert [r.status for r in again] == [200, 200], "got the documents forgotten after a restart"


def test_standin_logs_each_bulk_request_and_whether_it_was_signed(server, tmp_path):
    bulk.index_documents(client(server.url), "retail", documents(2, "s"), 1000, 5 * 1024 * 1024)
    lines = [json.loads(line) for line in (tmp_path / "data" / "requests.ndjson").read_text().splitlines()]
    got = [(line["path"], line["signed"], line["items"], line["statuses"]) for line in lines]
    assert got == [("/retail/_bulk", True, 2, {"201": 2})], f"got {got}"


def test_standin_forgets_an_index_on_delete(server, tmp_path):
    bulk.index_documents(client(server.url), "retail", documents(2, "d"), 1000, 5 * 1024 * 1024)
    request = urllib.request.Request(f"{server.url}/retail", method="DELETE")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    assert search_standin.documents(tmp_path / "data", "retail") == {}, "got documents after DELETE /retail"


def test_standin_answers_404_to_what_it_does_not_serve(server):
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{server.url}/retail/_search")
    assert raised.value.code == 404, f"got {raised.value.code}"


def test_parse_bulk_refuses_an_action_without_its_document():
    with pytest.raises(BulkSyntaxError, match="pair each action with a document"):
        parse_bulk(b'{"index": {"_id": "1"}}\n', "retail")


def test_parse_bulk_takes_the_index_from_the_action_or_the_path():
    body = b'{"index": {"_id": "1"}}\n{"a": 1}\n{"create": {"_index": "other", "_id": "2"}}\n{"b": 2}\n'
    got = [(a.op_type, a.index, a.doc_id) for a in parse_bulk(body, "retail")]
    assert got == [("index", "retail", "1"), ("create", "other", "2")], f"got {got}"


def test_standin_port_is_the_one_after_the_emulators():
    assert search_standin.SearchStandIn.beside(4690).url == "http://127.0.0.1:4691"


def test_local_apply_points_the_ingest_function_at_the_standin():
    target = Target("local", "us-east-1", "http://127.0.0.1:4690")
    got = cli.harness_variables(target, environ={})
    assert got == ["-var=ingest_opensearch_endpoint=http://127.0.0.1:4691"], f"got {got}"


@pytest.mark.parametrize(
    ("target", "environ"),
    [
        (Target("aws", "us-east-1", None), {}),
        (Target("localstack", "us-east-1", "http://localhost:4566"), {}),
        (Target("local", "us-east-1", "http://127.0.0.1:4690"), {"TF_VAR_ingest_opensearch_endpoint": "https://x"}),
    ],
    ids=["aws", "localstack", "user-endpoint"],
)
def test_other_targets_and_a_users_endpoint_get_no_standin(target, environ):
    assert cli.harness_variables(target, environ=environ) == [], "got the stand-in where it must not be"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_standin_process_starts_is_reused_and_stops_keeping_its_documents():
    standin = search_standin.SearchStandIn(free_port())
    try:
        assert standin.start(quiet=True) is True, "expected this call to start it"
        bulk.index_documents(client(standin.url), "retail", documents(2, "p"), 1000, 5 * 1024 * 1024)
        assert standin.start(quiet=True) is False, "a second start must reuse the running stand-in"
        assert standin.stop(quiet=True) is True, "expected the stop to find it running"
        assert not standin.healthy(), "the stand-in still answers after the stop"
        assert len(search_standin.documents(standin.data_dir, "retail")) == 2, "got its documents lost on stop"
    finally:
        standin.stop(quiet=True)
        shutil.rmtree(standin.home, ignore_errors=True)


def test_standin_refuses_a_port_held_by_something_else():
    with busy_port() as port, pytest.raises(search_standin.StandInError, match=r"is in use by something else"):
        search_standin.SearchStandIn(port).start(quiet=True)
