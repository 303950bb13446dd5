"""Import hints for resources an interrupted apply left outside the state."""

from __future__ import annotations

import pytest

from tools.recovery import Orphan, find_orphans

pytestmark = pytest.mark.unit

KINESIS_ERROR = """\
\x1b[31m│\x1b[0m \x1b[0m\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1mcreating Kinesis Stream (i8e419b-trans): \
operation error Kinesis: CreateStream, https response error StatusCode: 400, RequestID: e93d, ResourceInUseException: \
Stream \
i8e419b-trans already exists\x1b[0m
\x1b[31m│\x1b[0m \x1b[0m
\x1b[31m│\x1b[0m \x1b[0m\x1b[0m  with module.kinesis_stream.aws_kinesis_stream.this,
\x1b[31m│\x1b[0m \x1b[0m  on ../modules/kinesis_stream/main.tf line 5, in resource "aws_kinesis_stream" "this":
"""


def test_kinesis_stream_already_exists_becomes_an_import_of_its_address():
    assert find_orphans(KINESIS_ERROR) == [Orphan("module.kinesis_stream.aws_kinesis_stream.this", "i8e419b-trans")]


def test_import_command_quotes_indexed_addresses():
    orphan = Orphan('module.x.aws_thing.this["a"]', "name")
    assert orphan.import_command == """terraform import 'module.x.aws_thing.this["a"]' 'name'"""


def test_other_errors_give_no_hint():
    text = "Error: creating S3 Bucket (b): AccessDenied\n\n  with module.data_lake.aws_s3_bucket.this,\n"
    assert find_orphans(text) == []
