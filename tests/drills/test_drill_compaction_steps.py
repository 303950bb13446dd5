"""Drill: the hourly compaction fails at each of its steps in turn; after every failure the hour must still be
readable with exactly its old rows (or, past the switch, exactly its new ones), never empty, never doubled, and
the next run must repair it. Then a crashed run's lock must not wedge the compaction.

The drill builds its records itself and puts them into the stack's Kinesis stream; Firehose lands them in S3.
The compaction CLI (`python -m compact_parquet`, DuckDB engine: MiniStack's Athena has no CTAS) compacts the
hour, then, for each step, late records arrive and a run meets a fault at that step: a refused S3 call (403
AccessDenied through a botocore hook on the engine's own S3 client, so the rest of the run talks to the emulator
for real) or a conversion that loses a row (which the verification must catch). The hour is read back from the
Parquet files and through the Parquet table in Athena, then the run is repeated without the fault, as the next
scheduled run would (`--changed-only`).
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import pytest

from compact_parquet import cli, engines
from tests.drills.conftest import DrillResult
from tests.drills.faults import Outage, xml_error
from tests.drills.lake import (
    athena,
    build_records,
    compact,
    compaction_env,
    compare,
    encode,
    hour_count_sql,
    json_rows,
    parquet_rows,
    put_records,
    reset_lake,
    row_of,
    schedule_paused,
    wait_delivered,
)

pytestmark = [pytest.mark.drill, pytest.mark.integration]

FIRST, LATE = 60, 10  # records before the first compaction, and arriving before each failing run


@dataclass(frozen=True)
class Step:
    name: str
    switched: bool  # the failure comes after the switch: the hour holds its new rows
    event: str | None = None  # the botocore event the fault hooks; None: the conversion loses a row
    match: Callable[[Any], bool] = lambda request: True


def url_has(part: str) -> Callable[[Any], bool]:
    return lambda request: part in request.url


def body_has(part: str) -> Callable[[Any], bool]:
    return lambda request: isinstance(request.body, bytes) and part.encode() in request.body


STEPS = (
    Step("reading the hour's JSON", False, "before-send.s3.GetObject", url_has("/00-retail-trans/")),
    Step("converting (a row lost: the verification refuses the switch)", False),
    Step("uploading the staged file", False, "before-send.s3.PutObject", url_has("/compaction/staging/")),
    Step("the switch (copy onto the live key)", False, "before-send.s3.CopyObject"),
    Step("deleting the staged file after the switch", True, "before-send.s3.DeleteObjects", body_has("/staging/")),
    Step("writing the manifest", True, "before-send.s3.PutObject", url_has("/manifests/")),
)


@dataclass
class Outcome:
    step: Step
    exit_code: int
    faults: int
    kept: bool  # the Parquet files hold exactly the expected rows of every hour, one file per hour
    readable: bool  # the Parquet table's hour counts through Athena equal them
    repaired: bool  # after the re-run, Parquet = JSON for every hour


def inject(step: Step, patch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Make the next CLI run fail at the step; returns how many faults it met so far."""
    if step.event is None:
        real, lost = engines.convert, [0]

        def lossy(files, output):  # a broken conversion: one row fewer, and it says so
            rows = real(files, output)
            shorter = output.with_name("shorter.parquet")
            fewer = f"SELECT * FROM read_parquet('{output}') LIMIT {rows - 1}"
            duckdb.execute(f"COPY ({fewer}) TO '{shorter}' (FORMAT parquet, COMPRESSION snappy)")
            shorter.replace(output)
            lost[0] += 1
            return rows - 1

        patch.setattr(engines, "convert", lossy)
        return lambda: lost[0]
    outages: list[Outage] = []
    real_make = cli.make_engine

    def make_engine(*args: Any, **kwargs: Any) -> Any:
        engine = real_make(*args, **kwargs)
        outage = Outage(engine.s3, step.event, lambda url: xml_error(url, 403, "AccessDenied"), step.match)
        outage.on = True
        outages.append(outage)
        return engine

    patch.setattr(cli, "make_engine", make_engine)
    return lambda: sum(o.failed_calls for o in outages)


def readable(stack, expected: dict[str, Counter]) -> bool:
    """The Parquet table's count of every hour, through Athena, equals the expected rows'."""
    table = stack.outputs["parquet_table_name"]
    for hour, rows in expected.items():
        run = athena(stack, f"parquet {hour}", hour_count_sql(stack, table, hour))
        if not run.ok or int(run.rows[0][0]) != sum(rows.values()):
            return False
    return True


def lease(stack, holder: str, until: float) -> None:
    """Write the compaction's lock as a run that holds it until `until` (epoch seconds) would have."""
    outputs = stack.outputs
    bucket, state = outputs["bucket_name"], outputs["compaction_state_location"].split("/", 3)[3]
    stack.client("s3").put_object(
        Bucket=bucket,
        Key=f"{state}lock.json",
        Body=json.dumps({"holder": holder, "until": until, "released": False}).encode(),
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=outputs["bucket_kms_key_arn"],
    )


def test_compaction_failing_at_each_step_keeps_the_hour_readable_and_the_rerun_repairs_it(
    drill_stack, monkeypatch, capsys, record_drill
):
    for name, value in compaction_env(drill_stack).items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "COMPACTION_ENGINE"):
        monkeypatch.delenv(name, raising=False)
    tag = uuid.uuid4().hex[:6]
    outcomes: list[Outcome] = []
    with schedule_paused(drill_stack):
        # given: the drill's records delivered and their hour(s) compacted
        reset_lake(drill_stack)
        records = build_records(FIRST, tag)
        put_records(drill_stack, [encode(r) for r in records])
        hours = sorted(wait_delivered(drill_stack, Counter(map(row_of, records))))
        first = compact(capsys, "--since", hours[0], "--until", hours[-1])
        assert first[0] == cli.ExitCode.OK, f"got {first}, expected the first compaction to succeed"

        for number, step in enumerate(STEPS):
            # when: late records arrive, and the next run fails at the step
            old, _ = parquet_rows(drill_stack)
            late = build_records(LATE, tag, start=FIRST + number * LATE)
            records += late
            put_records(drill_stack, [encode(r) for r in late])
            new = wait_delivered(drill_stack, Counter(map(row_of, records)))
            hours = sorted(new)
            with monkeypatch.context() as patch:
                met = inject(step, patch)
                code, _ = compact(capsys, "--since", hours[0], "--until", hours[-1], "--changed-only")
            # then: every hour holds exactly its old rows (or its new ones past the switch), readable
            expected = {h: (new if step.switched else old).get(h, Counter()) for h in hours}
            after, objects = parquet_rows(drill_stack)
            kept = {h: after.get(h, Counter()) for h in hours} == expected and all(
                objects[h] == 1 for h in hours if expected[h]
            )
            seen = readable(drill_stack, expected)
            rerun = compact(capsys, "--since", hours[0], "--until", hours[-1], "--changed-only")
            repaired = rerun[0] == cli.ExitCode.OK and parquet_rows(drill_stack)[0] == json_rows(drill_stack)
            outcomes.append(Outcome(step, code, met(), kept, seen, repaired))

        # and a crashed run's lock: a live lease blocks a run, an expired one is taken over
        lease(drill_stack, "drill-live-run", time.time() + 600)
        blocked = compact(capsys, "--since", hours[0], "--until", hours[-1], "--changed-only")
        lease(drill_stack, "drill-crashed-run", time.time() - 120)
        taken_over = compact(capsys, "--since", hours[0], "--until", hours[-1], "--changed-only")

    final, objects = parquet_rows(drill_stack)
    arrived, duplicates = compare(Counter(map(row_of, records)), sum(final.values(), Counter()))
    failing = [o for o in outcomes if o.exit_code != cli.ExitCode.ERROR or not o.faults]
    broken = [o.step.name for o in outcomes if not (o.kept and o.readable and o.repaired)]
    record_drill(
        DrillResult(
            drill="compaction fails at each step, then re-runs",
            unit="rows",
            sent=len(records),
            arrived=arrived,
            reported=0,
            duplicates=duplicates,
            note=f"{FIRST} rows compacted, then {LATE} late before each of {len(STEPS)} failing runs (" +
            "; ".join(f"{o.step.name}: exit {o.exit_code}, hour {'new' if o.step.switched else 'old'} "
                      f"rows {'kept' if o.kept else 'NOT kept'}" for o in outcomes) +
            "); every re-run repaired the hour; a live lock blocked a run (exit "
            f"{blocked[0]}), a crashed run's expired lock was taken over (exit {taken_over[0]})",
        )
    )  # fmt: skip
    assert not failing, f"got steps that did not fail as injected: {[(o.step.name, o.exit_code) for o in failing]}"
    assert not broken, f"got hours not kept, unreadable or not repaired after: {broken}"
    assert duplicates == 0, f"got {duplicates} rows more than once in the Parquet table"
    assert set(objects.values()) == {1}, f"got Parquet objects per hour {dict(objects)}, expected one per hour"
    assert blocked[0] == cli.ExitCode.ERROR, f"got {blocked}, expected a live lock to stop the run"
    assert "holds the lock" in blocked[1], f"got {blocked[1]!r}"
    assert taken_over[0] == cli.ExitCode.OK, f"got {taken_over}, expected an expired lock to be taken over"
