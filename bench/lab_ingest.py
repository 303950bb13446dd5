"""The lab's ingest approach, re-implemented for comparison (not shipped): credentials frozen at import,
one bulk body built with a string join, `refresh=True` on every call, an 8-hex md5 id, no inspection of
the bulk response, every error swallowed. Kept only as the benchmark's baseline."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import traceback
from datetime import datetime
from typing import Any

import boto3
from opensearchpy import OpenSearch, RequestsAWSV4SignerAuth, RequestsHttpConnection

from ingest_opensearch.config import parse_endpoint

INDEX = os.environ.get("OPENSEARCH_INDEX", "retail")
REQUIRED_FIELDS = [f for f in os.environ.get("REQUIRED_FIELDS", "").split(",") if f]
DATE_FIELDS = [f for f in os.environ.get("DATE_FIELDS", "InvoiceDate").split(",") if f]
_endpoint = parse_endpoint(os.environ["OPENSEARCH_ENDPOINT"])
_frozen = boto3.Session().get_credentials().get_frozen_credentials()  # never refreshed: the lab's mistake
client = OpenSearch(
    hosts=[{"host": _endpoint.host, "port": _endpoint.port, "scheme": _endpoint.scheme}],
    http_auth=RequestsAWSV4SignerAuth(_frozen, os.environ.get("AWS_REGION", "us-east-1"), "es"),
    use_ssl=_endpoint.scheme == "https",
    connection_class=RequestsHttpConnection,
)


def lambda_handler(event: dict[str, Any], context: object) -> None:
    docs: list[dict[str, Any]] = []
    for record in event["Records"]:
        try:
            data = json.loads(base64.b64decode(record["kinesis"]["data"]).decode("utf-8"))
            if not any(data.get(k) for k in REQUIRED_FIELDS):
                continue
            doc_id = hashlib.md5(":".join(str(data.get(k, "")) for k in REQUIRED_FIELDS).encode()).hexdigest()[:8]
            for k in DATE_FIELDS:
                if k in data:
                    data[k] = datetime.strptime(data[k], "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%dT%H:%M:%SZ")
            docs += [{"index": {"_index": INDEX, "_id": doc_id}}, data]
        except Exception:  # the lab swallowed everything
            traceback.print_exc()
    if docs:
        try:
            client.bulk(body="\n".join(json.dumps(d) for d in docs), index=INDEX, refresh=True)
        except Exception:
            traceback.print_exc(file=sys.stderr)
