"""The compaction CLI and its settings: one-line errors with exit codes, dry runs that touch nothing."""

from __future__ import annotations

import pytest

from compact_parquet.cli import ExitCode, main
from compact_parquet.config import ConfigError, Settings, resolve_engine

pytestmark = pytest.mark.unit

ENV = {
    "GLUE_DATABASE": "mydatabase",
    "TARGET_LOCATION": "s3://retail-us-east-1-000000000000/parquet-retail-trans/",
    "ATHENA_WORKGROUP": "retail-analytics",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "x",
    "AWS_SECRET_ACCESS_KEY": "y",
}


@pytest.fixture
def env(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ATHENA", "COMPACTION_ENGINE", "SOURCE_TABLE", "TARGET_TABLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    # Any AWS call would go here and fail: a dry run must make none.
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ENDPOINT_URL_GLUE", "http://127.0.0.1:9")


def test_cli_dry_run_prints_sql_and_says_engine(env, capsys):
    code = main(["--hour", "2027-01-01T00", "--dry-run", "--engine", "athena"])
    out = capsys.readouterr().out
    live = "s3://retail-us-east-1-000000000000/parquet-retail-trans/year=2027/month=01/day=01/hour=00/part-00000-"
    assert code == ExitCode.OK, f"got exit {code}, expected 0"
    assert "bucket_count = 1" in out, f"got {out}"
    assert f"-- switch: copy the staged file onto {live}" in out, f"got {out}"
    assert out.rstrip().endswith("2027-01-01T00: dry run: nothing executed (engine: athena, 0.0 s)"), f"got {out}"


def test_cli_range_dry_run_lists_every_hour_newest_first(env, capsys):
    code = main(["--since", "2027-01-01T22", "--until", "2027-01-02T01", "--dry-run", "--engine", "athena"])
    hours = [line.split(":")[0] for line in capsys.readouterr().out.splitlines() if "dry run:" in line]
    expected = ["2027-01-02T01", "2027-01-02T00", "2027-01-01T23", "2027-01-01T22"]
    assert (code, hours) == (ExitCode.OK, expected), f"got exit {code}, hours {hours}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "2027-01-02T00", "--until", "2027-01-01T00"], "--since 2027-01-02T00 is after --until"),
        (["--hour", "2027-01-01T00", "--until", "2027-01-02T00"], "--until goes with --since"),
        (["--since", "2000-01-01T00", "--until", "2027-01-01T00"], "give at most 43,920 (five years) at once"),
        (["--hour", "2027-01-01T00", "--time-limit", "0"], "--time-limit 0 must be at least 1 second"),
    ],
)
def test_cli_bad_range_exits_2_with_one_line(env, capsys, argv, message):
    code = main([*argv, "--dry-run"])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE, f"got exit {code}, expected 2"
    assert (message in err, err.count("\n")) == (True, 1), f"got stderr {err!r}, expected one line with {message!r}"


@pytest.mark.parametrize("hour", ["2027-01-01", "2027-01-01 00", "tomorrow"])
def test_cli_bad_hour_exits_2_with_one_line(env, capsys, hour):
    code = main(["--hour", hour, "--dry-run"])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE, f"got exit {code}, expected 2"
    assert err.startswith("compact_parquet: error: "), f"got stderr {err!r}"
    assert err.count("\n") == 1, f"got stderr {err!r}, expected one line"


def test_cli_missing_hour_flag_exits_2(env, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--dry-run"])
    assert caught.value.code == 2, f"got exit {caught.value.code}, expected 2"


def test_cli_runtime_failure_exits_1_without_traceback(env, capsys):  # S3 and Glue at 127.0.0.1:9 refuse
    code = main(["--hour", "2027-01-01T00", "--engine", "duckdb"])
    err = capsys.readouterr().err
    assert code == ExitCode.ERROR, f"got exit {code}, expected 1"
    assert "Traceback" not in err, f"got stderr {err!r}"
    assert err.startswith("compact_parquet: error: 2027-01-01T00 (duckdb engine)"), f"got stderr {err!r}"


def test_cli_athena_without_workgroup_exits_1_naming_it(env, monkeypatch, capsys):
    monkeypatch.delenv("ATHENA_WORKGROUP")
    code = main(["--hour", "2027-01-01T00", "--engine", "athena", "--dry-run"])
    err = capsys.readouterr().err
    assert code == ExitCode.ERROR, f"got exit {code}, expected 1"
    assert "ATHENA_WORKGROUP is not set" in err, f"got stderr {err!r}"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({}, "athena"), ({"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}, "duckdb")],
)
def test_resolve_engine_auto_picks_duckdb_only_for_emulators(environ, expected):
    got = resolve_engine("auto", environ)
    assert got == expected, f"got {got} for {environ}, expected {expected}"


def test_settings_defaults_follow_the_contract():
    got = Settings.from_env({"GLUE_DATABASE": "mydatabase", "TARGET_LOCATION": "s3://bkt/parquet-retail-trans"})
    assert (got.source_table, got.target_table, got.engine) == (
        "retail_trans_json",
        "ctas_retail_trans_parquet",
        "athena",
    ), f"got {got}"
    assert str(got.target_location) == "s3://bkt/parquet-retail-trans/", f"got {got.target_location}, expected a folder"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TARGET_LOCATION", "parquet-retail-trans/"),
        ("GLUE_DATABASE", "My-Database"),
        ("QUERY_TIMEOUT_SECONDS", "0"),
        ("COMPACTION_ENGINE", "spark"),
        ("LATE_DATA_WINDOW_HOURS", "721"),
        ("LAKE_KMS_KEY_ARN", "my key"),
        ("STATE_LOCATION", "s3://bkt/p/compaction/"),
    ],
)
def test_settings_malformed_values_name_the_variable(name, value):
    environ = {"GLUE_DATABASE": "mydatabase", "TARGET_LOCATION": "s3://bkt/p/"} | {name: value}
    with pytest.raises(ConfigError, match=name):
        Settings.from_env(environ)
