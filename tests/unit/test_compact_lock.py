"""The compaction's lock (S3 conditional writes) and the run around it (one deadline, hours newest first, one
hour's failure reported without stopping the others), with the in-memory S3 of tests/unit/lake_fakes.py."""

from __future__ import annotations

import json

import pytest

from compact_parquet.config import S3Uri, Settings
from compact_parquet.deadline import Deadline
from compact_parquet.engines import Result
from compact_parquet.handler import hours_of
from compact_parquet.hours import Hour
from compact_parquet.lock import LockHeld, LockLost, S3Lock
from compact_parquet.runner import run_hours
from tests.unit.lake_fakes import BUCKET, FakeS3

pytestmark = pytest.mark.unit

STATE = S3Uri(BUCKET, "compaction/")
KEY = "arn:aws:kms:us-east-1:111122223333:key/0b0e0b0e-1111-2222-3333-444455556666"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def lock(s3: FakeS3, holder: str, clock: Clock) -> S3Lock:
    return S3Lock(s3, STATE, KEY, holder=holder, now=clock)


def lease(s3: FakeS3) -> dict:
    return json.loads(s3.body("compaction/lock.json"))


def test_second_run_is_refused_while_the_lease_holds():
    s3, clock = FakeS3(), Clock()
    lock(s3, "first", clock).acquire(100)
    with pytest.raises(LockHeld, match="another compaction \\(first\\) holds the lock until"):
        lock(s3, "second", clock).acquire(100)


def test_lease_of_a_crashed_run_is_taken_over_once_it_ends():
    # given: a run took the lock and died without releasing it
    s3, clock = FakeS3(), Clock()
    lock(s3, "crashed", clock).acquire(100)
    clock.now += 100 + 61  # its lease, plus the slack
    # when
    lock(s3, "next", clock).acquire(100)
    # then
    assert lease(s3)["holder"] == "next", f"got {lease(s3)}, expected the next run to hold the lock"


def test_released_lease_is_taken_at_once():
    s3, clock = FakeS3(), Clock()
    first = lock(s3, "first", clock)
    first.acquire(100)
    first.release()
    lock(s3, "second", clock).acquire(100)
    assert lease(s3)["holder"] == "second", f"got {lease(s3)}"


def test_run_whose_lease_was_taken_over_neither_renews_nor_releases_it():
    s3, clock = FakeS3(), Clock()
    slow = lock(s3, "slow", clock)
    slow.acquire(10)
    clock.now += 10 + 61
    lock(s3, "next", clock).acquire(100)
    with pytest.raises(LockLost):
        slow.renew(10)
    slow.release()
    assert (lease(s3)["holder"], lease(s3)["released"]) == ("next", False), f"got {lease(s3)}"


def test_two_runs_racing_for_an_expired_lease_only_one_wins():
    # given: an expired lease both runs read
    s3, clock = FakeS3(), Clock()
    lock(s3, "crashed", clock).acquire(1)
    clock.now += 100
    a, b = lock(s3, "a", clock), lock(s3, "b", clock)
    real_read = b._read
    b._read = lambda: (real_read(), a.acquire(100))[0]  # a takes over between b's read and b's write
    # when / then
    with pytest.raises(LockHeld):
        b.acquire(100)
    assert lease(s3)["holder"] == "a", f"got {lease(s3)}"


def test_lock_writes_carry_the_lake_key():
    s3, clock = FakeS3(), Clock()
    held = lock(s3, "first", clock)
    held.acquire(100)
    held.renew(100)
    held.release()
    got = {(args.get("ServerSideEncryption"), args.get("SSEKMSKeyId")) for _, _, args in s3.writes}
    assert got == {("aws:kms", KEY)}, f"got {got}, expected every lock write SSE-KMS with the lake key"


class FakeEngine:
    """Records the hours it is asked to compact; fails the ones in `failing`; uses `clock` time per hour."""

    name = "fake"

    def __init__(self, deadline: Deadline, failing: tuple[str, ...] = (), seconds: float = 0.0, clock=None) -> None:
        self.settings = Settings("db", "src", "dst", S3Uri(BUCKET, "parquet/"), "wg", 60, "athena")
        self.deadline, self.failing, self.seconds, self.clock = deadline, failing, seconds, clock
        self.compacted: list[str] = []

    def compact(self, hour: Hour, dry_run: bool = False, force: bool = True) -> Result:
        if self.clock:
            self.clock.now += self.seconds
        if str(hour) in self.failing:
            raise RuntimeError("boom")
        self.compacted.append(str(hour))
        return Result(hour, self.name, "compacted", self.settings.target_location, rows=1)


HOURS = Hour.parse("2026-11-28T10").with_window(3)


def test_run_reports_a_failed_hour_and_still_compacts_the_others():
    s3, clock = FakeS3(), Clock()
    engine = FakeEngine(Deadline(), failing=("2026-11-28T09",))
    report = run_hours(engine, HOURS, False, lock(s3, "run", clock))
    assert engine.compacted == ["2026-11-28T10", "2026-11-28T08", "2026-11-28T07"], f"got {engine.compacted}"
    assert (list(report.failed), report.ok) == (["2026-11-28T09"], False), f"got {report.failed}"
    assert lease(s3)["released"] is True, f"got {lease(s3)}, expected the lock released"


def test_run_defers_the_hours_its_deadline_leaves_no_time_for():
    s3, clock = FakeS3(), Clock()
    monotonic = Clock()
    engine = FakeEngine(Deadline(end=monotonic.now + 100, clock=monotonic), seconds=40, clock=monotonic)
    report = run_hours(engine, HOURS, False, lock(s3, "run", clock))
    assert engine.compacted == ["2026-11-28T10", "2026-11-28T09"], f"got {engine.compacted}"
    assert report.deferred == ["2026-11-28T08", "2026-11-28T07"], f"got {report.deferred}"


def test_run_does_nothing_while_another_holds_the_lock():
    s3, clock = FakeS3(), Clock()
    lock(s3, "other", clock).acquire(100)
    engine = FakeEngine(Deadline())
    report = run_hours(engine, HOURS, False, lock(s3, "run", clock))
    assert (engine.compacted, "other" in (report.locked or "")) == ([], True), f"got {report.as_dict()}"


def test_scheduled_event_compacts_previous_hour_and_checks_the_window():
    hours, force = hours_of({"time": "2026-11-28T11:05:00Z"}, 48)
    assert (str(hours[0]), str(hours[-1]), len(hours), force) == ("2026-11-28T10", "2026-11-26T10", 49, False), (
        f"got {hours[0]}..{hours[-1]} ({len(hours)}), force={force}"
    )


def test_manual_event_replaces_exactly_its_hour():
    hours, force = hours_of({"hour": "2026-11-28T10"}, 48)
    assert ([str(h) for h in hours], force) == (["2026-11-28T10"], True), f"got {hours}, force={force}"
