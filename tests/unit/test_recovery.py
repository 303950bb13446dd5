"""Import hints for resources an interrupted apply left outside the state."""

from __future__ import annotations

import json

import pytest

from tests.harness import lost_creates
from tools.recovery import Orphan, find_orphans, needs_plan, with_import_ids

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


def test_plain_output_of_no_color_gives_the_same_hint():
    plain = """
Error: creating Kinesis Stream (i8e419b-trans): operation error Kinesis: CreateStream, ResourceInUseException: Stream \
i8e419b-trans already exists

  with module.kinesis_stream.aws_kinesis_stream.this,
  on ../modules/kinesis_stream/main.tf line 5, in resource "aws_kinesis_stream" "this":
"""
    assert find_orphans(plain) == [Orphan("module.kinesis_stream.aws_kinesis_stream.this", "i8e419b-trans")]


def test_import_command_quotes_indexed_addresses():
    orphan = Orphan('module.x.aws_thing.this["a"]', "name")
    assert orphan.import_command == """terraform import 'module.x.aws_thing.this["a"]' 'name'"""


def test_other_errors_give_no_hint():
    text = "Error: creating S3 Bucket (b): AccessDenied\n\n  with module.data_lake.aws_s3_bucket.this,\n"
    assert find_orphans(text) == []


GLUE_TABLE_ERROR = """\
Error: creating Glue Catalog Table (retail_trans_json): operation error Glue: CreateTable, https response error \
StatusCode: 400, RequestID: 8c29, AlreadyExistsException: Table retail_trans_json already exists

  with module.glue_catalog.aws_glue_catalog_table.json,
  on ../modules/glue_catalog/main.tf line 41, in resource "aws_glue_catalog_table" "json":
"""

# The parts of `terraform show -json <planfile>` that with_import_ids reads (catalog_id is unknown at plan time).
PLAN = {
    "planned_values": {
        "root_module": {
            "child_modules": [
                {
                    "address": "module.glue_catalog",
                    "resources": [
                        {
                            "address": "module.glue_catalog.aws_glue_catalog_table.json",
                            "type": "aws_glue_catalog_table",
                            "values": {"name": "retail_trans_json", "database_name": "mydatabase"},
                        }
                    ],
                }
            ]
        }
    },
    "prior_state": {
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "data.aws_caller_identity.current",
                        "mode": "data",
                        "type": "aws_caller_identity",
                        "values": {"account_id": "000000000000"},
                    }
                ]
            }
        }
    },
}


def test_glue_table_import_id_is_catalog_database_and_table():
    orphans = find_orphans(GLUE_TABLE_ERROR)
    assert needs_plan(orphans), f"got {orphans}, expected a Glue table to need the plan"
    completed = with_import_ids(orphans, PLAN)
    expected = [Orphan("module.glue_catalog.aws_glue_catalog_table.json", "000000000000:mydatabase:retail_trans_json")]
    assert completed == expected, f"got {completed}, expected {expected}"


def test_glue_database_import_id_is_catalog_and_name():
    orphan = Orphan("module.glue_catalog.aws_glue_catalog_database.this", "mydatabase")
    completed = with_import_ids([orphan], PLAN)
    assert completed[0].resource_id == "000000000000:mydatabase", f"got {completed}"


def test_import_id_stays_the_name_when_the_plan_lacks_the_parts():
    orphan = Orphan("module.glue_catalog.aws_glue_catalog_table.json", "retail_trans_json")
    assert with_import_ids([orphan], {}) == [orphan], "expected the orphan unchanged without a plan"


def test_kinesis_stream_needs_no_plan():
    assert not needs_plan(find_orphans(KINESIS_ERROR)), "a Kinesis stream's import ID is its name"


def test_resource_type_ignores_the_index():
    orphan = Orphan("module.x.aws_glue_catalog_table.parquet[0]", "t")
    assert orphan.resource_type == "aws_glue_catalog_table", f"got {orphan.resource_type}"


# --- The harness's adoption of creates whose answer the emulator lost (tests/harness.py) -------------------------

ROLE_ERROR = """
Error: creating IAM Role (ose3e7f8-opensearch-master): operation error IAM: CreateRole, https response error \
StatusCode: 409, RequestID: d708f82a, EntityAlreadyExists: Role with name ose3e7f8-opensearch-master already exists.

  with module.opensearch[0].aws_iam_role.master[0],
  on ../modules/opensearch/main.tf line 126, in resource "aws_iam_role" "master":
"""
ROLE = Orphan("module.opensearch[0].aws_iam_role.master[0]", "ose3e7f8-opensearch-master")


def state_holding(tmp_path, **attributes):
    state = {"resources": [{"mode": "managed", "type": "aws_iam_role", "instances": [{"attributes": attributes}]}]}
    (tmp_path / "terraform.tfstate").write_text(json.dumps(state))
    return tmp_path / "terraform.tfstate"


def test_a_create_refused_as_existing_with_the_stacks_prefix_and_in_no_state_address_is_adopted(tmp_path):
    state = state_holding(tmp_path, id="ose3e7f8-ingest", arn="arn:aws:iam::000000000000:role/ose3e7f8-ingest")
    assert lost_creates(ROLE_ERROR, "ose3e7f8", state) == [ROLE]
    assert lost_creates(ROLE_ERROR, "ose3e7f8", tmp_path / "no.tfstate") == [ROLE]


def test_a_name_the_state_already_holds_is_a_real_collision_not_adopted(tmp_path):
    # the configuration creates the same name twice: the first resource holds it
    state = state_holding(tmp_path, id="ose3e7f8-opensearch-master", name="ose3e7f8-opensearch-master")
    assert lost_creates(ROLE_ERROR, "ose3e7f8", state) == []


def test_a_name_without_the_stacks_prefix_is_someone_elses_not_adopted(tmp_path):
    assert lost_creates(ROLE_ERROR, "t1a2b3c", tmp_path / "no.tfstate") == []
    assert lost_creates(ROLE_ERROR, None, tmp_path / "no.tfstate") == []


def test_any_other_failure_is_not_adopted(tmp_path):
    assert lost_creates("Error: creating IAM Role (ose3e7f8-x): AccessDenied", "ose3e7f8", tmp_path / "s") == []
