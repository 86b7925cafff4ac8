"""The benchmark records which Python runs the server and how it was built."""

from __future__ import annotations

import json
import sysconfig
from pathlib import Path

import pytest

from bench import machine, report


@pytest.mark.parametrize(
    ("config_args", "pgo", "lto"),
    [
        ("'--prefix=/root/.pyenv/versions/3.12.1' '--enable-shared'", False, False),
        ("'--enable-optimizations' '--with-lto' '--enable-shared'", True, True),
        (None, False, False),
    ],
)
def test_the_interpreters_build_is_recorded(
    monkeypatch: pytest.MonkeyPatch, config_args: str | None, pgo: bool, lto: bool
) -> None:
    monkeypatch.setattr(sysconfig, "get_config_var", lambda name: config_args)
    info = machine.interpreter()
    assert info["python_pgo"] is pgo
    assert info["python_lto"] is lto
    assert str(info["python"]).startswith("3.")


def test_the_report_names_the_interpreter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = {
        "machine": {"nproc": 2, "cpu_model": "AMD EPYC", "python": "3.12.1", "python_pgo": False},
        "duration_s": 12,
        "figures": [],
    }
    path = tmp_path / "run.json"
    path.write_text(json.dumps(run), encoding="utf-8")
    assert report.main([str(path)]) == 0
    assert "Python 3.12.1 (no PGO, no LTO)" in capsys.readouterr().out
