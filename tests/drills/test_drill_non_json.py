"""Drill: records that are not contract JSON go into the stream (the producer's own csv, sent with
--allow-non-json, and a foreign producer's bytes); none may reach the JSON table's folders, each must be kept
under the error prefix and counted, and every saved Athena query must still succeed.

Firehose runs the stack's processing Lambda (lambda_src/firehose_validate) over every record: contract JSON is
delivered, anything else is answered ProcessingFailed, which Firehose writes under the error prefix
(`00-error/.../hour=HH/processing-failed...`) with the record base64 in rawData. MiniStack drops ProcessingFailed
records instead of writing them; the harness's emulator shim (tools/ministack_shim.py) writes them where and as AWS
documents it — that hop is a stand-in, the Lambda, its verdicts, Firehose's delivery of the rest and the queries are
the emulator's own.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from producer.cli import main as producer
from tests.drills.conftest import DrillResult, data_root, empty_prefix, poll, settled
from tests.drills.lake import put_records, quarantined, reset_lake, saved_queries

pytestmark = [pytest.mark.drill, pytest.mark.integration]

JSON_ROWS, CSV_ROWS = range(0, 20), range(20, 25)
GARBAGE = [
    b"\x00\xff\xfe\x80 not even text",
    b"<sale><invoice>489434</invoice></sale>\n",
    b'{"order": 17, "note": "JSON, but not the data contract"}\n',
]
Key = tuple[str, str, int]


def slice_csv(rows: range, into: Path) -> tuple[Path, Counter[Key]]:
    """The sample's header and the given rows, as a CSV of their own, and the rows' keys read with the csv module."""
    with (data_root() / "online_retail_sample.csv").open(encoding="utf-8", newline="") as source:
        reader = csv.reader(source)
        header, data = next(reader), list(reader)[rows.start : rows.stop]
    with into.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(header)
        writer.writerows(data)
    return into, Counter(key(row[0], row[1], row[3]) for row in data)


def key(invoice: str, stockcode: str, quantity: Any) -> Key:
    return invoice.strip(), stockcode.strip(), int(float(quantity))


def produce(stack, csv_file: Path, *flags: str) -> int:
    outputs, target = stack.outputs, stack.target
    return producer([
        "-I", str(csv_file), "--stream-name", outputs["kinesis_stream_name"], "--endpoint-url", target.endpoint_url,
        "--region-name", target.region, "--quiet", *flags,
    ])  # fmt: skip


def delivered(stack) -> tuple[Counter[Key], int]:
    """Keys of the JSON records under data_prefix, and the lines there that are not a JSON object."""
    found: Counter[Key] = Counter()
    not_json = 0
    s3, bucket = stack.client("s3"), stack.outputs["bucket_name"]
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=stack.outputs["data_prefix"]):
        keys = [item["Key"] for item in page.get("Contents", [])]
        bodies = [s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys]
        for line in (line for body in bodies for line in body.splitlines() if line.strip()):
            try:
                record = json.loads(line)
                found[key(record["Invoice"], record["StockCode"], record["Quantity"])] += 1
            except (ValueError, KeyError, TypeError):  # UnicodeDecodeError is a ValueError
                not_json += 1
    return found, not_json


def kept(documents: list[dict[str, Any]], csv_keys: Counter[Key]) -> tuple[Counter[Key], Counter[bytes]]:
    """The quarantined records the drill sent: csv lines by key, garbage by its bytes."""
    lines: Counter[Key] = Counter()
    garbage: Counter[bytes] = Counter()
    for document in documents:
        raw = document["raw"]
        if raw in GARBAGE:
            garbage[raw] += 1
            continue
        try:
            fields = next(csv.reader(io.StringIO(raw.decode("utf-8"))))
            found = key(fields[0], fields[1], fields[3])
        except (UnicodeDecodeError, IndexError, ValueError, StopIteration):
            continue
        if found in csv_keys:
            lines[found] += 1
    return lines, garbage


def quarantine_metric(stack, since_ms: int) -> int:
    """RecordsQuarantined summed over the processing Lambda's EMF lines since the drill began."""
    logs, total = stack.client("logs"), 0
    group = stack.outputs["record_validation_log_group"]
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group, startTime=since_ms):
        for event in page.get("events", []):
            if '"RecordsQuarantined"' in event["message"]:
                value = json.loads(event["message"])["RecordsQuarantined"]
                total += int(sum(value) if isinstance(value, list) else value)
    return total


def test_csv_and_garbage_records_are_quarantined_counted_and_every_saved_query_still_works(
    drill_stack, tmp_path, record_drill
):
    # given: a lake without earlier records, quarantined or delivered
    reset_lake(drill_stack)
    empty_prefix(drill_stack.client("s3"), drill_stack.outputs["bucket_name"], drill_stack.outputs["error_prefix"])
    since_ms = int(time.time() * 1000)
    json_file, json_keys = slice_csv(JSON_ROWS, tmp_path / "json.csv")
    csv_file, csv_keys = slice_csv(CSV_ROWS, tmp_path / "csv.csv")

    # when: the producer's JSON, its csv (refused without the flag, then sent with it), a foreign producer's bytes
    refused = produce(drill_stack, csv_file, "--out-format", "csv")
    sent_json = produce(drill_stack, json_file)
    sent_csv = produce(drill_stack, csv_file, "--out-format", "csv", "--allow-non-json")
    put_records(drill_stack, GARBAGE)

    # then: contract JSON delivered, the rest quarantined and counted, every saved query succeeds
    bad = sum(csv_keys.values()) + len(GARBAGE)

    def progress() -> tuple[Counter[Key], int, int]:
        found, not_json = delivered(drill_stack)
        lines, garbage = kept(quarantined(drill_stack), csv_keys)
        return found, not_json, sum(lines.values()) + sum(garbage.values())

    poll(progress, lambda p: not (json_keys - p[0]) and p[2] >= bad, timeout_s=120)
    found, not_json = settled(lambda: delivered(drill_stack))
    lines, garbage = kept(quarantined(drill_stack), csv_keys)
    counted = poll(lambda: quarantine_metric(drill_stack, since_ms), lambda n: n >= bad, timeout_s=30)
    queries = saved_queries(drill_stack)
    failed = {name: run.reason[:200] for name, run in queries.items() if not run.ok}
    arrived = sum((json_keys & found).values())
    reported = sum((csv_keys & lines).values()) + sum(min(garbage[g], 1) for g in GARBAGE)
    duplicates = sum(max(found[k] - n, 0) for k, n in json_keys.items()) + sum(max(n - 1, 0) for n in garbage.values())
    duplicates += sum(max(lines[k] - n, 0) for k, n in csv_keys.items())
    record_drill(
        DrillResult(
            drill="non-JSON into the stream: the producer's csv, a foreign producer's bytes",
            unit="records",
            sent=sum(json_keys.values()) + bad,
            arrived=arrived,
            reported=reported,
            duplicates=duplicates,
            note=f"{arrived} JSON delivered, {not_json} non-JSON lines in the JSON folder; "
            f"{sum(csv_keys.values())} csv (refused without --allow-non-json: exit {refused}) and {len(GARBAGE)} "
            f"foreign records sent, {reported} found under processing-failed (that hop to S3 is the emulator shim's); "
            f"RecordsQuarantined = {counted}; "
            f"{len(queries) - len(failed)} of {len(queries)} saved queries succeeded",
        )
    )
    assert (refused, sent_json, sent_csv) == (2, 0, 0), f"got producer exits {(refused, sent_json, sent_csv)}"
    assert not_json == 0, f"got {not_json} non-JSON lines in the JSON table's folders"
    assert reported == bad, f"got {reported} of {bad} non-JSON records quarantined"
    assert counted == bad, f"got RecordsQuarantined = {counted}, expected {bad}"
    assert not failed, f"got saved queries failing after the bad records: {failed}"
