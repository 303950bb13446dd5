"""`make bench-lambda`: ingest handler time for 1000-record Kinesis batches, the lab's approach vs ours,
both against the same local OpenSearch bulk test double, measured in the same run.

The double answers every item 201 and does not model OpenSearch's own costs (a refresh per request is
free here, and much more expensive on a real cluster), so the table compares the work the handlers do.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "lambda_src")]

from tests.doubles.opensearch_bulk import OpenSearchBulkDouble  # noqa: E402 - after the path set-up
from tests.lambda_support import FakeContext, encode, kinesis_event, sample_record  # noqa: E402
from tests.record_contract import REQUIRED_FIELDS  # noqa: E402
from tools.cli_base import Exit, Parser  # noqa: E402

BATCH = 1000


def measure(
    handlers: dict[str, Callable[[dict, Any], Any]], event: dict, runs: int, warmup: int
) -> dict[str, list[float]]:
    """Invoke the handlers in turn (interleaved, so drift on a shared machine hits both alike)."""
    timings: dict[str, list[float]] = {name: [] for name in handlers}
    sink = io.StringIO()
    for i in range(warmup + runs):
        for name, handler in handlers.items():
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                started = time.perf_counter()
                handler(event, FakeContext())
                elapsed = time.perf_counter() - started
            sink.seek(0)
            sink.truncate()
            if i >= warmup:
                timings[name].append(elapsed)
    return timings


def row(name: str, timings: list[float], requests: float, checked: int, refresh: str, baseline: float | None) -> str:
    median, p90 = statistics.median(timings), sorted(timings)[int(len(timings) * 0.9) - 1]
    ratio = "1.00× (baseline)" if baseline is None else f"{median / baseline:.2f}×"
    return (
        f"{name:<34} {median * 1000:>9.1f} {p90 * 1000:>8.1f} {median / BATCH * 1e6:>10.1f} "
        f"{requests:>9.1f} {checked:>14,} {refresh:>8}  {ratio}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog="bench_lambda", command="python -m bench.bench_lambda", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="measured invocations per approach (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured invocations first (default 3)")
    args = parser.parse_args(argv)

    with OpenSearchBulkDouble(record_bodies=False) as double:
        os.environ.update(
            OPENSEARCH_ENDPOINT=double.url, OPENSEARCH_INDEX="retail", AWS_REGION="us-east-1",
            AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
            DEAD_LETTER_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/000000000000/unused",
            REQUIRED_FIELDS=",".join(REQUIRED_FIELDS),
            POWERTOOLS_SERVICE_NAME="ingest-opensearch", POWERTOOLS_METRICS_NAMESPACE="RetailPipelineBench",
            LOG_LEVEL="INFO",
        )  # fmt: skip
        lab = importlib.import_module("bench.lab_ingest")
        ours = importlib.import_module("ingest_opensearch.handler")
        ours.logger.registered_handler.setStream(io.StringIO())  # keep the logging work, drop the output
        event = kinesis_event([encode(sample_record(i, "bench")) for i in range(BATCH)])

        handlers = {"lab": lab.lambda_handler, "ours": ours.lambda_handler}
        timings = measure(handlers, event, args.runs, args.warmup)
        calls = args.runs + args.warmup
        results = {}
        bulk = double.bulk_requests()  # the lab's requests are the ones asking for a refresh
        by_approach = {
            "lab": [r for r in bulk if "refresh" in r.query],
            "ours": [r for r in bulk if "refresh" not in r.query],
        }
        for name in handlers:
            refresh = {q.get("refresh", ["-"])[0] for q in (r.query for r in by_approach[name])}
            results[name] = (timings[name], len(by_approach[name]) / calls, ", ".join(sorted(refresh)) or "-")
        if len(double.documents["retail"]) == 0:
            print("bench_lambda: error: the handlers indexed nothing", file=sys.stderr)
            return Exit.ERROR

    lab_median = statistics.median(results["lab"][0])
    print(f"Ingest handler, {BATCH}-record Kinesis batches, {args.runs} measured runs each (after {args.warmup} "
          f"warm-up), same local bulk double, Python {sys.version.split()[0]}")  # fmt: skip
    print(f"{'approach':<34} {'median ms':>9} {'p90 ms':>8} {'µs/record':>10} {'requests':>9} "
          f"{'items checked':>14} {'refresh':>8}  vs lab")  # fmt: skip
    print(row("lab: string join, refresh=true", results["lab"][0], results["lab"][1], 0, results["lab"][2], None))
    print(row("ours: validated, chunked, checked", results["ours"][0], results["ours"][1], BATCH,
              results["ours"][2], lab_median))  # fmt: skip
    ratio = statistics.median(results["ours"][0]) / lab_median
    verdict = "met" if ratio <= 1.0 else "NOT met"
    print(
        f"target ours ≤ 1.0× lab: {verdict} ({ratio:.2f}×); the double does not charge for refresh=true, "
        "a real cluster does"
    )
    return Exit.OK


if __name__ == "__main__":
    sys.exit(main())
