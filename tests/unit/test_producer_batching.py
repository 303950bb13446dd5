"""Batches never break the PutRecords / PutRecordBatch limits; records too big to ever send are named."""

from __future__ import annotations

import pytest

from producer.batching import FIREHOSE, KINESIS, batches
from producer.records import Entry

pytestmark = pytest.mark.unit

# The AWS limits in bytes, written out here rather than imported from the code under test.
KIB = 1024
MIB = 1024 * 1024


def entry(size: int, key: str = "k" * 16, line: int = 2) -> Entry:
    return Entry(b"x" * (size - 1) + b"\n", key, line, [])


def test_kinesis_batches_hold_at_most_500_records():
    got = [len(batch) for batch in batches((entry(100) for _ in range(1234)), KINESIS)]
    assert got == [500, 500, 234], f"got {got}"


def test_firehose_batches_hold_at_most_500_records():
    got = [len(batch) for batch in batches((entry(100) for _ in range(501)), FIREHOSE)]
    assert got == [500, 1], f"got {got}"


def test_batch_size_lowers_the_count_limit():
    got = [len(batch) for batch in batches((entry(100) for _ in range(25)), KINESIS, batch_size=10)]
    assert got == [10, 10, 5], f"got {got}"


def test_batch_size_cannot_raise_the_count_limit():
    got = [len(batch) for batch in batches((entry(10) for _ in range(600)), FIREHOSE, batch_size=1000)]
    assert got == [500, 100], f"got {got}"


def test_kinesis_requests_stay_within_5_mib_partition_keys_included():
    # given records of 900 KiB whose keys push 6 of them just over 5 MiB
    records = [entry(900 * KIB, key="k" * 256) for _ in range(12)]
    got = list(batches(records, KINESIS))
    sizes = [sum(len(e.data) + len(e.key) for e in batch) for batch in got]
    assert all(size <= 5 * MIB for size in sizes), f"got request sizes {sizes}"
    assert [len(batch) for batch in got] == [5, 5, 2], f"got {[len(batch) for batch in got]}"


def test_firehose_requests_stay_within_4_mib_keys_not_counted():
    records = [entry(1000 * KIB, key="k" * 256) for _ in range(9)]
    got = [len(batch) for batch in batches(records, FIREHOSE)]
    assert got == [4, 4, 1], f"got {got}"


def test_a_request_exactly_at_the_limit_is_allowed():
    records = [entry(MIB - 16) for _ in range(5)]  # 5 x (1 MiB - 16 + 16-char key) = 5 MiB
    got = [len(batch) for batch in batches(records, KINESIS)]
    assert got == [5], f"got {got}"


def test_order_is_kept_across_batches():
    records = [entry(100, line=n) for n in range(1200)]
    got = [e.line for batch in batches(records, KINESIS) for e in batch]
    assert got == list(range(1200)), "batching reordered records"


def test_kinesis_record_over_1_mib_with_its_key_is_oversized():
    reason = KINESIS.oversize_reason(entry(MIB - 10, key="k" * 16))
    assert reason == f"record of {MIB + 6} bytes (partition key included) is over the kinesis limit of {MIB} bytes", (
        reason
    )


def test_kinesis_record_of_exactly_1_mib_with_its_key_fits():
    assert KINESIS.oversize_reason(entry(MIB - 16, key="k" * 16)) is None


def test_firehose_record_over_1000_kib_is_oversized():
    reason = FIREHOSE.oversize_reason(entry(1000 * KIB + 1))
    assert reason == f"record of {1000 * KIB + 1} bytes is over the firehose limit of {1000 * KIB} bytes", reason


def test_firehose_record_of_1000_kib_fits():
    assert FIREHOSE.oversize_reason(entry(1000 * KIB)) is None


def test_an_oversized_record_given_to_batches_is_a_programming_error():
    with pytest.raises(ValueError, match="line 7 is over the size limit"):
        list(batches([entry(2 * MIB, line=7)], KINESIS))


def test_no_input_gives_no_batch():
    assert list(batches([], KINESIS)) == []
