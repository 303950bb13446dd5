"""A local HTTP test double of the OpenSearch bulk API, for tests and benchmarks.

OpenSearch cannot run here (no package on PyPI, npm or Debian; no Docker), and MiniStack's OpenSearch is a
control plane only. This double serves just what the ingest function uses — `POST /_bulk` and
`POST /<index>/_bulk` with NDJSON index actions, `GET /` — answering per item the way OpenSearch does
(`{"took", "errors", "items": [{"index": {"_index", "_id", "status", "result" | "error"}}]}`), and lets a
test decide each item's status or fail whole requests. It records every request (method, path, query,
headers, body) and keeps the indexed documents by index and id, in memory. The bulk parsing and the answer's
shape are the search stand-in's (tools/search_standin.py, what `make up` runs beside the emulator); the fault
injection is this double's own.

With `credentials={access_key: (secret_key, session_token)}`, it checks each request's SigV4 signature
(service and region as given) by recomputing it with botocore, and answers 403 on a mismatch, as AWS does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tools.search_standin import bulk_response, parse_bulk, path_index

AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request, "
    r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<signature>[0-9a-f]{64})"
)

# (doc_id, source, attempt number starting at 1) -> (status, error or None)
ItemPolicy = Callable[[str, dict[str, Any], int], tuple[int, dict[str, Any] | None]]


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    signature: str  # "valid", "invalid: <why>", or "unchecked"
    statuses: list[int] = field(default_factory=list)  # per bulk item


def created(doc_id: str, source: dict[str, Any], attempt: int) -> tuple[int, dict[str, Any] | None]:
    return 201, None


def rejected_429_first(ids: set[str]) -> ItemPolicy:
    """429 (es_rejected_execution_exception) on the first attempt of each listed id, then 201."""

    def policy(doc_id: str, source: dict[str, Any], attempt: int) -> tuple[int, dict[str, Any] | None]:
        if doc_id in ids and attempt == 1:
            return 429, {
                "type": "es_rejected_execution_exception",
                "reason": "rejected execution of coordinating operation [write queue full]",
            }
        return 201, None

    return policy


def combine(*policies: ItemPolicy) -> ItemPolicy:
    """The first policy answering anything but 201 wins."""

    def policy(doc_id: str, source: dict[str, Any], attempt: int) -> tuple[int, dict[str, Any] | None]:
        for candidate in policies:
            status, error = candidate(doc_id, source, attempt)
            if status != 201:
                return status, error
        return 201, None

    return policy


class OpenSearchBulkDouble:
    """Start with `with OpenSearchBulkDouble() as double:`; `double.url` is its endpoint."""

    def __init__(
        self,
        policy: ItemPolicy = created,
        credentials: Mapping[str, tuple[str, str | None]] | None = None,
        region: str = "us-east-1",
        service: str = "es",
        host: str = "127.0.0.1",
        record_bodies: bool = True,
    ) -> None:
        self.policy = policy
        self.credentials = dict(credentials or {})
        self.region, self.service = region, service
        self.record_bodies = record_bodies
        self.request_fault: Callable[[Recorded], tuple[int, str] | None] | None = None
        self.delay_s = 0.0
        self.requests: list[Recorded] = []
        self.documents: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.attempts: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="opensearch-double", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> OpenSearchBulkDouble:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def bulk_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/_bulk")]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.documents.clear()
            self.attempts.clear()

    # --- request handling -------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                double._serve(self, "GET")

            def do_POST(self) -> None:
                double._serve(self, "POST")

            def do_PUT(self) -> None:
                double._serve(self, "PUT")

        return Handler

    def _serve(self, request: BaseHTTPRequestHandler, method: str) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        parts = urlsplit(request.path)
        headers = {name.lower(): value for name, value in request.headers.items()}
        recorded = Recorded(method, parts.path, parse_qs(parts.query), headers, body, self._check_signature(
            method, request.path, headers, body))  # fmt: skip
        with self._lock:
            self.requests.append(recorded)
        if self.delay_s:
            time.sleep(self.delay_s)
        if recorded.signature.startswith("invalid"):
            return self._reply(request, 403, {"message": f"The request signature is not valid: {recorded.signature}"})
        fault = self.request_fault(recorded) if self.request_fault else None
        if fault:
            return self._reply(
                request, fault[0], {"error": {"type": "injected", "reason": fault[1]}, "status": fault[0]}
            )
        status, payload = self._route(method, parts.path, recorded)
        if not self.record_bodies:
            recorded.body = b""
        return self._reply(request, status, payload)

    def _route(self, method: str, path: str, recorded: Recorded) -> tuple[int, Any]:
        """The answer to a request whose signature passed: (status, JSON payload). Subclasses add routes."""
        if method == "GET" and path == "/":
            return 200, {"name": "double", "version": {"distribution": "opensearch", "number": "2.19.0"}}
        if method == "PUT" and path.startswith("/_index_template/"):
            return 200, {"acknowledged": True}
        if method == "POST" and path.endswith("/_bulk"):
            return 200, self._bulk(path_index(path), recorded.body, recorded)
        return 404, {"error": {"type": "not_found", "reason": f"{method} {path}"}}

    def _bulk(self, index_of_path: str | None, body: bytes, recorded: Recorded) -> dict[str, Any]:
        items = []
        for action in parse_bulk(body, index_of_path):
            op_type, index, doc_id, source = action.op_type, action.index, action.doc_id, action.source
            with self._lock:
                self.attempts[doc_id] += 1
                attempt = self.attempts[doc_id]
            status, error = self.policy(doc_id, source, attempt)
            item: dict[str, Any] = {"_index": index, "_id": doc_id, "status": status}
            if 200 <= status < 300:
                with self._lock:
                    existed = doc_id in self.documents[index]
                    self.documents[index][doc_id] = source
                item |= {"result": "updated" if existed else "created", "_version": attempt}
                item["status"] = 200 if existed else status
            else:
                item["error"] = error or {"type": "injected", "reason": f"status {status}"}
            recorded.statuses.append(item["status"])
            items.append({op_type: item})
        return bulk_response(items)

    def _check_signature(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> str:
        if not self.credentials:
            return "unchecked"
        match = AUTHORIZATION.fullmatch(headers.get("authorization", ""))
        if not match:
            return "invalid: no AWS4-HMAC-SHA256 Authorization header"
        if (match["region"], match["service"]) != (self.region, self.service):
            return f"invalid: scope {match['region']}/{match['service']}, expected {self.region}/{self.service}"
        if match["key"] not in self.credentials:
            return f"invalid: unknown access key {match['key']}"
        if headers.get("x-amz-content-sha256") != hashlib.sha256(body).hexdigest():
            return "invalid: x-amz-content-sha256 does not match the body"
        secret, token = self.credentials[match["key"]]
        if token and headers.get("x-amz-security-token") != token:
            return "invalid: missing or wrong x-amz-security-token"
        signed = match["signed"].split(";")
        request = AWSRequest(
            method=method,
            url=f"http://{headers['host']}{raw_path}",
            data=body,
            headers={name: headers[name] for name in signed if name in headers},
        )
        request.context["timestamp"] = headers.get("x-amz-date", "")
        auth = SigV4Auth(Credentials(match["key"], secret, token), self.service, self.region)
        expected = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
        return "valid" if expected == match["signature"] else "invalid: signature mismatch"

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=UTF-8")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            request.wfile.write(data)
