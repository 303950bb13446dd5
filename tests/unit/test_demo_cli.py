"""`python -m demo`: bad flags and configuration get one line and exit 2 before anything starts."""

from __future__ import annotations

import io

import pytest

from demo.cli import main
from demo.errors import ExitCode
from demo.progress import Progress

pytestmark = pytest.mark.unit


def one_line_error(err: str) -> bool:
    return err.startswith("demo: error: ") and err.count("\n") == 1


def test_cli_on_aws_exits_2_and_says_it_needs_an_emulator(monkeypatch, capsys):
    monkeypatch.setenv("ENV", "aws")
    code = main([])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE, f"got exit {code}, expected 2"
    assert one_line_error(err), f"got stderr {err!r}, expected one line"
    assert "runs on an emulator" in err, f"got stderr {err!r}"


def test_cli_unknown_env_exits_2(monkeypatch, capsys):
    monkeypatch.setenv("ENV", "prod")
    code = main([])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE, f"got exit {code}, expected 2"
    assert one_line_error(err), f"got stderr {err!r}, expected one line"
    assert "ENV='prod'" in err, f"got stderr {err!r}"


def test_cli_missing_input_file_exits_2(tmp_path, capsys):
    code = main(["-I", str(tmp_path / "missing.csv")])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE, f"got exit {code}, expected 2"
    assert one_line_error(err), f"got stderr {err!r}, expected one line"
    assert "missing.csv" in err, f"got stderr {err!r}"


@pytest.mark.parametrize("flag", ["--delivery-timeout", "--query-timeout"])
@pytest.mark.parametrize("value", ["0", "soon", "99999"])
def test_cli_bad_timeout_exits_2_with_one_line(capsys, flag, value):
    with pytest.raises(SystemExit) as exit_info:
        main([flag, value])
    err = capsys.readouterr().err
    assert exit_info.value.code == ExitCode.USAGE, f"got exit {exit_info.value.code}, expected 2"
    assert one_line_error(err), f"got stderr {err!r}, expected one line"
    assert "seconds from 1 to 3600" in err, f"got stderr {err!r}"


def test_progress_prints_one_line_per_stage_with_its_time():
    out, ticks = io.StringIO(), iter([0.0, 1.25])
    progress = Progress(total=8, stream=out, clock=lambda: next(ticks))
    with progress.stage("produce") as stage:
        stage.detail = "sent 3 records"
    assert out.getvalue() == "demo [1/8] produce   sent 3 records (1.2 s)\n", f"got {out.getvalue()!r}"
    assert [(t.name, t.seconds, t.ok) for t in progress.timings] == [("produce", 1.25, True)]


def test_progress_says_which_stage_failed():
    out, ticks = io.StringIO(), iter([0.0, 2.0])
    progress = Progress(total=8, stream=out, clock=lambda: next(ticks))
    with pytest.raises(RuntimeError), progress.stage("deliver"):
        raise RuntimeError("boom")
    assert out.getvalue() == "demo [1/8] deliver   failed after 2.0 s\n", f"got {out.getvalue()!r}"
