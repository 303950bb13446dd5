"""Producer benchmark on the emulator: records/s and peak RSS of three ways to fill a Kinesis stream.

    make bench-producer        # or: python -m bench.producer_bench [--sizes 10000,100000] [--repeats 3]

(a) the lab's approach: read the CSV, one PutRecords call per record, sequential (its random sleeps left out);
(b) a raw ceiling: records read and serialized before the clock starts, then 500-record PutRecords calls
    from the same number of threads, through the same boto3 client settings as the producer;
(c) our producer: the real CLI (`producer.cli.main`), CSV parsing and encoding included.
Then the producer's peak RSS with --dry-run on a small and a large input (memory must stay flat).

Every case runs in its own child process (peak RSS is that child's ru_maxrss) against a fresh on-demand
stream, because MiniStack slows down as a stream accumulates records. The baseline (a, b) is measured in
the same run; throughput on 2 shared cores is noisy, so (b) and (c) are interleaved and the best of
`--repeats` runs is kept. This prints a table; it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import boto3

from producer import samplegen
from producer.app import make_client
from tools.cli_base import Exit, Parser

TARGETS = {"lab": 20.0, "raw": 0.8, "rss_growth_mb": 50.0}
REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


@dataclass(frozen=True)
class Result:
    case: str
    records: int
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float  # the child's own CPU time over the timed section (all its threads)

    @property
    def cpu_per_record_us(self) -> float:
        return self.cpu_seconds / self.records * 1e6 if self.records else 0.0

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


# --- child processes: each runs one case and prints {"records": n, "seconds": s} ------------------


def child_lab(args: argparse.Namespace) -> dict[str, float]:
    client = boto3.client("kinesis", endpoint_url=args.endpoint, region_name=REGION, **CREDENTIALS)
    started, cpu = time.perf_counter(), time.process_time()
    sent = 0
    with open(args.input, newline="", encoding="utf-8") as source:
        for row in csv.DictReader(source):
            if sent >= args.count:
                break
            data = (json.dumps(row) + "\n").encode()
            client.put_records(StreamName=args.stream, Records=[{"Data": data, "PartitionKey": secrets.token_hex(8)}])
            sent += 1
    return {"records": sent, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def child_raw(args: argparse.Namespace) -> dict[str, float]:
    client = make_client("kinesis", REGION, args.endpoint, args.concurrency)
    records = []
    with open(args.input, newline="", encoding="utf-8") as source:
        for row in csv.DictReader(source):
            if len(records) >= args.count:
                break
            records.append({"Data": (json.dumps(row) + "\n").encode(), "PartitionKey": secrets.token_hex(8)})
    batches = [records[i : i + 500] for i in range(0, len(records), 500)]

    def put(batch: list[dict]) -> int:
        response = client.put_records(StreamName=args.stream, Records=batch)
        return len(batch) - response["FailedRecordCount"]

    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(args.concurrency) as pool:
        sent = sum(pool.map(put, batches))
    return {"records": sent, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def child_ours(args: argparse.Namespace) -> dict[str, float]:
    """The producer's CLI flags and run, timed as (b) is: the boto3 client is made before the clock starts."""
    from producer import app, cli

    argv = ["-I", args.input, "--stream-name", args.stream, "--endpoint-url", args.endpoint, "--region-name", REGION]
    argv += ["--max-count", str(args.count), "--concurrency", str(args.concurrency), "--quiet"]
    config = cli.to_config(cli.build_parser().parse_args(argv))
    client = make_client("kinesis", REGION, args.endpoint, args.concurrency)
    started, cpu = time.perf_counter(), time.process_time()
    code = app.run(config, client=client)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if code != 0:
        raise SystemExit(f"bench: the producer exited with {code}")
    return {"records": args.count, "seconds": seconds, "cpu": cpu}


def child_dry(args: argparse.Namespace) -> dict[str, float]:
    """The producer's --dry-run over the whole input; its records go to stdout (/dev/null here)."""
    from producer.cli import main

    started, cpu = time.perf_counter(), time.process_time()
    code = main(["-I", args.input, "--dry-run", "--quiet"])
    sys.stdout.flush()
    if code != 0:
        raise SystemExit(f"bench: the producer exited with {code}")
    return {"records": args.count, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def peak_rss_mb() -> float:
    """This process's peak RSS since its exec (VmHWM). ru_maxrss would not do: Linux carries the parent's
    peak over fork and exec, so every child would report at least the parent's size."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # no /proc: bytes on macOS, KiB elsewhere
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


CHILDREN = {"lab": child_lab, "raw": child_raw, "ours": child_ours, "dry": child_dry}


# --- the parent: inputs, streams, children, table ------------------------------------------------


def measure(case: str, count: int, source: Path, endpoint: str, concurrency: int, stream: str = "") -> Result:
    """Run one case in a child process; it writes its own count, time and peak RSS to a result file."""
    with tempfile.NamedTemporaryFile(suffix=".json") as result_file:
        argv = [sys.executable, "-m", "bench.producer_bench", "--child", case, "--count", str(count)]
        argv += ["--input", str(source), "--endpoint", endpoint, "--concurrency", str(concurrency)]
        argv += ["--stream", stream, "--result", result_file.name]
        child = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        if child.returncode:
            raise SystemExit(f"bench: case {case} failed (exit {child.returncode}):\n{child.stderr.decode()[-2000:]}")
        report = json.loads(Path(result_file.name).read_text())
    return Result(
        case, int(report["records"]), float(report["seconds"]), float(report["peak_rss_mb"]), float(report["cpu"])
    )


@contextlib.contextmanager
def fresh_stream(client: object, stem: str) -> Iterator[str]:
    name = f"bench-{stem}-{secrets.token_hex(3)}"
    client.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    deadline = time.monotonic() + 60
    while client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: stream {name} did not become ACTIVE")
        time.sleep(0.2)
    try:
        yield name
    finally:
        client.delete_stream(StreamName=name, EnforceConsumerDeletion=True)


def emulator_endpoint() -> tuple[str, object | None]:
    """The endpoint of the target's emulator (started for ENV=local); refuses ENV=aws."""
    from tools import emulator
    from tools.targets import TargetError, resolve

    try:
        target = resolve()
    except TargetError as exc:
        raise SystemExit(f"bench: {exc}") from None
    if not target.endpoint_url:
        raise SystemExit("bench: runs on an emulator only (ENV=local or localstack); on AWS it would cost money")
    if target.manages_emulator:
        instance = emulator.MiniStack(target.port or 0)
        return target.endpoint_url, instance if instance.start(quiet=True) else None
    if not emulator.health(target.endpoint_url):
        raise SystemExit(f"bench: nothing healthy answers at {target.endpoint_url}")
    return target.endpoint_url, None


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.rjust(width) if i else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(
        prog="producer_bench", command="python -m bench.producer_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--sizes", default="10000,100000", help="records per run of (b) and (c)")
    parser.add_argument("--lab-count", type=int, default=2000, help="records for (a); its rate is flat in size")
    parser.add_argument("--rss-rows", default="10000,1000000", help="input rows of the two --dry-run RSS runs")
    parser.add_argument("--repeats", type=int, default=3, help="runs of (b) and (c) per size; the best is kept")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stream", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        report = CHILDREN[args.child](args)
        report["peak_rss_mb"] = peak_rss_mb()
        Path(args.result).write_text(json.dumps(report))
        return Exit.OK

    sizes = [int(size) for size in args.sizes.split(",")]
    rss_rows = [int(rows) for rows in args.rss_rows.split(",")]
    endpoint, started = emulator_endpoint()
    client = boto3.client("kinesis", endpoint_url=endpoint, region_name=REGION, **CREDENTIALS)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-producer-") as tmp:
            inputs = {}
            for rows in sorted({max(sizes), args.lab_count, *rss_rows}):
                inputs[rows] = Path(tmp) / f"retail_{rows}.csv"
                samplegen.write_sample(inputs[rows], rows)
            print(f"bench: inputs generated; emulator {endpoint}; concurrency {args.concurrency}", file=sys.stderr)
            big = inputs[max(sizes)]
            with fresh_stream(client, "lab") as stream:
                lab = measure("lab", args.lab_count, inputs[args.lab_count], endpoint, 1, stream)
            results: dict[tuple[str, int], Result] = {}
            for size in sizes:
                for _ in range(args.repeats):
                    for case in ("raw", "ours"):
                        with fresh_stream(client, case) as stream:
                            result = measure(case, size, big, endpoint, args.concurrency, stream)
                        best = results.get((case, size))
                        if best is None or result.rate > best.rate:
                            results[(case, size)] = result
            rss = {rows: measure("dry", rows, inputs[rows], endpoint, 1).peak_rss_mb for rows in rss_rows}
    finally:
        if started is not None:
            started.stop(quiet=True)
    print_report(lab, results, sizes, rss, args)
    return Exit.OK


def row(name: str, result: Result, lab: Result, raw: Result | None) -> list[str]:
    return [
        name,
        f"{result.records}",
        f"{result.seconds:.2f}",
        f"{result.rate:.0f}",
        f"{result.rate / lab.rate:.1f}x",
        f"{result.rate / raw.rate:.2f}x" if raw else "",
        f"{result.cpu_per_record_us:.1f}",
        f"{result.peak_rss_mb:.0f}",
    ]


def verdict(value: float, target: float, above: bool = True) -> str:
    met = value >= target if above else value < target
    return "met" if met else "MISSED"


def print_report(
    lab: Result,
    results: dict[tuple[str, int], Result],
    sizes: list[int],
    rss: dict[int, float],
    args: argparse.Namespace,
) -> None:
    header = ["case", "records", "seconds", "records/s", "vs (a)", "vs (b)", "CPU us/record", "peak RSS MB"]
    rows = [header, row("(a) lab: one PutRecords call per record", lab, lab, None)]
    lines = []
    for size in sizes:
        raw, ours = results[("raw", size)], results[("ours", size)]
        rows.append(row("(b) raw ceiling: pre-serialized 500-record calls", raw, lab, raw))
        rows.append(row("(c) producer (CSV parsing and encoding included)", ours, lab, raw))
        vs_lab, vs_raw = ours.rate / lab.rate, ours.rate / raw.rate
        lines.append(
            f"{size} records: producer {vs_lab:.0f}x the lab (target >= {TARGETS['lab']:.0f}x: "
            f"{verdict(vs_lab, TARGETS['lab'])}), {vs_raw:.2f}x the raw ceiling "
            f"(target >= {TARGETS['raw']}: {verdict(vs_raw, TARGETS['raw'])})"
        )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\nThroughput on the emulator (concurrency {args.concurrency}; (b) and (c): best of {args.repeats}; "
        f"load average {load} on {os.cpu_count()} CPUs)\n"
    )
    print(table(rows))
    rss_rows = [["--dry-run input rows", "peak RSS MB"]] + [[f"{n}", f"{mb:.1f}"] for n, mb in rss.items()]
    print("\nMemory of the producer with --dry-run (records to /dev/null)\n")
    print(table(rss_rows))
    small, large = min(rss), max(rss)
    growth = rss[large] - rss[small]
    lines.append(
        f"RSS growth from {small} to {large} rows: {growth:+.1f} MB "
        f"(target < {TARGETS['rss_growth_mb']:.0f} MB: {verdict(growth, TARGETS['rss_growth_mb'], above=False)})"
    )
    print()
    for line in lines:
        print(f"- {line}")


if __name__ == "__main__":
    raise SystemExit(main())
