"""The local stand-in for the OpenSearch bulk API, which `make up` starts beside the embedded emulator.

No OpenSearch engine can be installed here (none on PyPI, npm or Debian; no Docker) and MiniStack's OpenSearch is a
control plane only, so locally the deployed ingest function writes to this stand-in. It serves what the function
sends and nothing more:

- `POST /_bulk` and `POST /<index>/_bulk`: NDJSON `index`/`create` actions, answered per item the way OpenSearch
  answers (`{"took", "errors", "items": [{"index": {"_index", "_id", "status", "result", "_version"}}]}`): 201
  created, or 200 updated when the id is known (ids derive from the content, so a re-sent record overwrites);
- `GET /`: who answers (the harness's health check); `DELETE /<index>`: forget an index (the demo's reset);
- anything else: 404, with OpenSearch's error shape.

What it received stays on disk: `<data dir>/<index>.ndjson` holds every document it accepted, one
`{"_id", "_source"}` line each, in order (the last line of an id wins), and `requests.ndjson` one line per request
(path, items, statuses, whether it carried a SigV4 `Authorization` header). It does not search, map, score or check
signatures: the mapping, the Lambda, the signed client, the bulk protocol and the per-item outcomes are real; the
search engine is this stand-in. tests/doubles/opensearch_bulk.py builds its fault injection on the same parsing.

Why a tool of our own: no package serves the OpenSearch bulk API without the engine (opensearch-py is a client;
moto's OpenSearch is a control plane), and the standard library's HTTP server is enough for this much.

`python -m tools.search_standin --port N --data-dir DIR` serves in the foreground (the harness starts it detached);
exit codes 0 stopped, 1 error, 2 usage.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tools.targets import LOCAL_DIR

NAME = "retail-search-standin"  # what GET / answers, so the harness knows it is ours
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0


class StandInError(Exception):
    """The stand-in could not be started or stopped; the message says why and what to do."""


def port_for(emulator_port: int) -> int:
    """The stand-in listens on the port after the emulator's (EMULATOR_PORT + 1)."""
    return emulator_port + 1


# --- the bulk protocol (shared with the test double) ---------------------------------------------------------------


@dataclass(frozen=True)
class BulkAction:
    """One action of a bulk body: `index` or `create`, its index, id and document."""

    op_type: str
    index: str | None
    doc_id: str
    source: dict[str, Any]


class BulkSyntaxError(ValueError):
    """The body is not NDJSON action/document pairs; OpenSearch answers 400 for it."""


def parse_bulk(body: bytes, path_index: str | None) -> list[BulkAction]:
    """The actions of an NDJSON bulk body (`{"index": {"_id": ...}}` then the document, line by line)."""
    lines = body.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) % 2:
        raise BulkSyntaxError("the bulk body must end with a newline and pair each action with a document")
    actions = []
    for i in range(0, len(lines), 2):
        try:
            (op_type, meta), source = next(iter(json.loads(lines[i]).items())), json.loads(lines[i + 1])
        except (ValueError, StopIteration, AttributeError) as exc:
            raise BulkSyntaxError(f"line {i + 1}: {exc}") from None
        if op_type not in ("index", "create") or not isinstance(meta, dict) or "_id" not in meta:
            raise BulkSyntaxError(f"line {i + 1}: expected an index or create action with an _id")
        actions.append(BulkAction(op_type, meta.get("_index", path_index), str(meta["_id"]), source))
    return actions


def path_index(path: str) -> str | None:
    """The index of `/<index>/_bulk`; None for `/_bulk`."""
    parts = path.strip("/").split("/")
    return parts[0] if len(parts) == 2 else None


def bulk_response(items: list[dict[str, Any]], took_ms: int = 1) -> dict[str, Any]:
    """The bulk answer around per-item results ({op_type: {..., "status"}})."""
    failed = any(not 200 <= next(iter(item.values()))["status"] < 300 for item in items)
    return {"took": took_ms, "errors": failed, "items": items}


def item_result(action: BulkAction, existed: bool, version: int) -> dict[str, Any]:
    status = 200 if existed else 201
    result = "updated" if existed else "created"
    return {action.op_type: {"_index": action.index, "_id": action.doc_id, "status": status, "result": result,
                             "_version": version}}  # fmt: skip


# --- the store ---------------------------------------------------------------------------------------------------


class DocumentStore:
    """Documents by index and id, kept on disk as one NDJSON file per index (see the module's docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._versions: dict[str, dict[str, int]] = {}
        for path in sorted(self.directory.glob("*.ndjson")):
            if path.name != "requests.ndjson":
                self._versions[path.stem] = Counter(doc_id for doc_id, _ in read_documents(path))

    def index(self, actions: Sequence[BulkAction]) -> list[dict[str, Any]]:
        """Store the documents; return one item result each."""
        results = []
        with self._lock:
            by_index: dict[str, list[str]] = {}
            for action in actions:
                index = action.index or "_unnamed"
                versions = self._versions.setdefault(index, Counter())
                existed = versions[action.doc_id] > 0
                versions[action.doc_id] += 1
                by_index.setdefault(index, []).append(json.dumps({"_id": action.doc_id, "_source": action.source}))
                results.append(item_result(action, existed, versions[action.doc_id]))
            for index, lines in by_index.items():
                with (self.directory / f"{index}.ndjson").open("a", encoding="utf-8") as out:
                    out.write("\n".join(lines) + "\n")
        return results

    def delete_index(self, index: str) -> bool:
        with self._lock:
            existed = self._versions.pop(index, None) is not None
            (self.directory / f"{index}.ndjson").unlink(missing_ok=True)
        return existed

    def log(self, entry: dict[str, Any]) -> None:
        with self._lock, (self.directory / "requests.ndjson").open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")


def read_documents(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, source) of every line of an index file, in order; a partial last line (being written) is skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    for line in text.split("\n"):
        if not line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        yield entry["_id"], entry["_source"]


def documents(directory: Path, index: str) -> dict[str, dict[str, Any]]:
    """The documents the stand-in holds for an index: id -> source (the last write of each id)."""
    return dict(read_documents(directory / f"{index}.ndjson"))


# --- the server --------------------------------------------------------------------------------------------------


class StandInServer:
    """The HTTP server, in this process: `with StandInServer(directory) as server: server.url`."""

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.store = DocumentStore(directory)
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StandInServer:
        self._thread = threading.Thread(target=self.serve_forever, name="search-standin", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        store = self.store

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._answer("GET")

            def do_HEAD(self) -> None:
                self._answer("HEAD")

            def do_POST(self) -> None:
                self._answer("POST")

            def do_PUT(self) -> None:
                self._answer("PUT")

            def do_DELETE(self) -> None:
                self._answer("DELETE")

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                status, payload = route(store, method, path, body)
                signed = self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 ")
                statuses = Counter(next(iter(i.values()))["status"] for i in payload.get("items", []))
                store.log({"time": time.time(), "method": method, "path": path, "status": status, "signed": signed,
                           "items": sum(statuses.values()), "statuses": dict(statuses)})  # fmt: skip
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if method != "HEAD":
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(data)

        return Handler


def route(store: DocumentStore, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
    if method in ("GET", "HEAD") and path == "/":
        return 200, {"name": NAME, "tagline": "a stand-in for the OpenSearch bulk API (no search engine)",
                     "version": {"distribution": "opensearch", "number": "2.19.0"}}  # fmt: skip
    if method == "POST" and path.endswith("/_bulk") and path.count("/") <= 2:
        try:
            actions = parse_bulk(body, path_index(path))
        except (BulkSyntaxError, UnicodeDecodeError) as exc:
            return 400, _error("illegal_argument_exception", f"malformed bulk body: {exc}", 400)
        return 200, bulk_response(store.index(actions))
    if method == "DELETE" and path.count("/") == 1 and len(path) > 1 and not path.startswith("/_"):
        index = path[1:]
        if store.delete_index(index):
            return 200, {"acknowledged": True}
        return 404, _error("index_not_found_exception", f"no such index [{index}]", 404)
    return 404, _error("not_found", f"{method} {path}: the search stand-in serves only _bulk", 404)


def _error(kind: str, reason: str, status: int) -> dict[str, Any]:
    return {"error": {"type": kind, "reason": reason}, "status": status}


# --- the process the harness starts and stops ----------------------------------------------------------------------


@dataclass(frozen=True)
class SearchStandIn:
    """The stand-in process beside the emulator on EMULATOR_PORT, with its files under .local/."""

    port: int

    @classmethod
    def beside(cls, emulator_port: int) -> SearchStandIn:
        return cls(port_for(emulator_port))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def home(self) -> Path:
        return LOCAL_DIR / f"search-standin-{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def pid_file(self) -> Path:
        return self.home / "standin.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "standin.log"

    def healthy(self, timeout: float = 1.0) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/", timeout=timeout) as response:  # noqa: S310 - http on loopback
                return json.loads(response.read()).get("name") == NAME
        except (OSError, ValueError, urllib.error.URLError):
            return False

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _is_standin_process(pid) else None

    def start(self, quiet: bool = False) -> bool:
        """Start it unless ours already answers; True when this call started it."""
        if self.healthy():
            return False
        if _port_in_use(self.port):
            raise StandInError(
                f"port {self.port} (the search stand-in's: EMULATOR_PORT + 1) is in use by something else; "
                "stop it, or pick another EMULATOR_PORT"
            )
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - this interpreter, this module
                [sys.executable, "-m", "tools.search_standin", "--port", str(self.port), "--data-dir",
                 str(self.data_dir)],
                cwd=Path(__file__).resolve().parent.parent, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.pid_file.write_text(f"{process.pid}\n")
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise StandInError(f"the search stand-in exited with status {process.returncode}; see {self.log_file}")
            if self.healthy():
                _say(f"search stand-in ready at {self.url} (pid {process.pid}, documents in {self.data_dir})", quiet)
                return True
            time.sleep(0.1)
        process.terminate()
        raise StandInError(f"the search stand-in did not answer within {START_TIMEOUT_S:.0f}s; see {self.log_file}")

    def stop(self, quiet: bool = False) -> bool:
        """Stop the stand-in this harness started (its documents stay on disk); True if one was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline and _is_standin_process(pid):
            time.sleep(0.1)
        if _is_standin_process(pid):
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        _say(f"search stand-in on port {self.port} stopped (documents kept in {self.data_dir})", quiet)
        return True


def _is_standin_process(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    return b"tools.search_standin" in cmdline


def _port_in_use(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _say(message: str, quiet: bool) -> None:
    if not quiet:
        print(f"search-standin: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="search-standin", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="loopback port to listen on")
    parser.add_argument("--data-dir", type=Path, required=True, help="where the received documents are kept")
    args = parser.parse_args(argv)
    try:
        server = StandInServer(args.data_dir, port=args.port)
    except OSError as exc:
        print(f"search-standin: error: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    print(f"search-standin: serving {server.url}, documents in {args.data_dir}", file=sys.stderr, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
