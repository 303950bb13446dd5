"""The compaction handler's own metric (RowsCompacted, Powertools EMF), which the operations dashboard plots.

The engine is replaced by a stand-in that returns a result or raises: what is tested is the handler's metric,
not the compaction (tests/unit/test_compact_engines.py and tests/integration/test_compaction.py do that).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from compact_parquet import handler
from compact_parquet.config import S3Uri, Settings
from compact_parquet.engines import Result
from compact_parquet.runner import RunReport
from tests.lambda_support import FakeContext

pytestmark = pytest.mark.unit

SETTINGS = Settings(
    glue_database="mydatabase",
    source_table="retail_trans_json",
    target_table="ctas_retail_trans_parquet",
    target_location=S3Uri("bucket", "parquet-retail-trans/"),
    athena_workgroup="retail-analytics",
    query_timeout_s=60,
    engine="athena",
)
EVENT = {"hour": "2026-11-28T10"}


@dataclass
class StandIn:
    """What the handler's run (lock, hours, engine) reports: one hour compacted, unchanged, empty or failed."""

    rows: int | None
    status: str = "compacted"
    fail: bool = False
    name: str = "athena"
    run_id: str = "run-1"

    def run(self, engine, hours, force, cfg, holder) -> RunReport:
        report = RunReport(self.name)
        if self.fail:
            report.failed[str(hours[0])] = "CTAS failed"
        else:
            report.results.append(Result(hours[0], self.name, self.status, SETTINGS.target_location, rows=self.rows))
        return report


@pytest.fixture
def engine(monkeypatch) -> StandIn:
    stand_in = StandIn(rows=42)
    monkeypatch.setattr(handler, "settings", lambda: SETTINGS)
    monkeypatch.setattr(handler, "session", lambda: None)
    monkeypatch.setattr(handler, "make_engine", lambda *args, **kwargs: stand_in)
    monkeypatch.setattr(handler, "run", stand_in.run)
    # Powertools reads POWERTOOLS_* when the module is imported (collection time here, cold start in Lambda).
    monkeypatch.setattr(handler.metrics, "namespace", "RetailPipeline")
    monkeypatch.setattr(handler.metrics, "service", "compact-parquet")
    return stand_in


def emitted(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if '"_aws"' in line]


def test_handler_emits_the_rows_it_compacted(engine, capsys):
    handler.lambda_handler(EVENT, FakeContext(function_name="compact-parquet"))
    (emf,) = emitted(capsys.readouterr().out)
    (declaration,) = emf["_aws"]["CloudWatchMetrics"]
    got = (declaration["Namespace"], declaration["Dimensions"], emf.get("service"), emf.get("RowsCompacted"))
    expected = ("RetailPipeline", [["service"]], "compact-parquet", [42.0])
    assert got == expected, f"got {got}, expected {expected}"


def test_handler_emits_zero_rows_for_an_hour_without_data(engine, capsys):
    engine.rows, engine.status = None, "empty"
    handler.lambda_handler(EVENT, FakeContext(function_name="compact-parquet"))
    (emf,) = emitted(capsys.readouterr().out)
    assert emf.get("RowsCompacted") == [0.0], f"got {emf.get('RowsCompacted')}, expected [0.0]"


def test_handler_emits_zero_rows_and_fails_when_the_hour_failed(engine, capsys):
    engine.fail = True
    with pytest.raises(handler.CompactionFailed):
        handler.lambda_handler(EVENT, FakeContext(function_name="compact-parquet"))
    got = [emf.get("RowsCompacted") for emf in emitted(capsys.readouterr().out)]
    assert got == [[0.0]], f"got {got}, expected RowsCompacted 0 (the Errors metric counts the failure)"
