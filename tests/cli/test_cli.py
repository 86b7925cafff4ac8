import csv
import io
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from chorus.cli import main as cli
from chorus.cli.main import Progress
from chorus.counts import selectors, services
from chorus.counts.models import Snapshot
from chorus.counts.selectors import voice_pending_count
from chorus.counts.services import VoiceFacts
from chorus.orgs.models import Organisation

pytestmark = pytest.mark.django_db


def test_migrate_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate"]) == 0


def test_publish_with_nothing_closed_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["publish"]) == 0
    assert "Nothing to publish" in capsys.readouterr().out


def test_publish_releases_closed_periods(capsys: pytest.CaptureFixture[str]) -> None:
    start = datetime.now(tz=UTC) - timedelta(days=2)
    services.voices_seed(started=start, voices=[(start, VoiceFacts())] * 50)
    assert cli.main(["publish"]) == 0
    assert "Published snapshot" in capsys.readouterr().out
    assert voice_pending_count() == 0


def test_demo_seeds_and_publishes_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--voices", "3000", "--days", "10"]) == 0
    assert "Added 3,000 demo voices" in capsys.readouterr().out
    snapshot = selectors.snapshot_latest()
    assert snapshot is not None
    assert snapshot.published["total"]["value"] is not None
    assert cli.main(["demo"]) == 0
    assert "already there" in capsys.readouterr().out
    assert Snapshot.objects.count() == 1


def test_demo_prints_workspace_links_once_on_a_new_install(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["demo", "--voices", "100", "--days", "3", "--site", "https://x.example/"]) == 0
    out = capsys.readouterr().out
    assert "the operator (registers organisations): https://x.example/workspace/enrol/" in out
    assert (
        "the admin of Demo Organisation (/orgs/demo): https://x.example/workspace/orgs/enrol/"
        in out
    )
    assert Organisation.objects.get().slug == "demo"
    assert get_user_model().objects.get(username="operator").is_superuser
    assert cli.main(["demo"]) == 0
    assert "enrol" not in capsys.readouterr().out
    assert Organisation.objects.count() == 1


def test_export_writes_csv_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export"]) == 1
    assert "No snapshot" in capsys.readouterr().err
    cli.main(["demo", "--voices", "2000", "--days", "5"])
    capsys.readouterr()
    assert cli.main(["export", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:3] == ["snapshot", "released_at", "table"]
    out = tmp_path / "snap.json"
    snapshot = selectors.snapshot_latest()
    assert snapshot is not None
    sid = str(snapshot.pk)
    assert cli.main(["export", "--snapshot", sid, "--format", "json", "--output", str(out)]) == 0
    assert json.loads(out.read_text())["metadata"]["id"] == int(sid)


def test_progress_is_shown_only_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    quiet, loud = io.StringIO(), Tty()
    Progress(quiet)("counting")
    Progress(loud)("counting")
    assert quiet.getvalue() == ""
    assert loud.getvalue() == "… counting\n"


def test_unknown_commands_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["explode"])
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("database_url", "given", "threads"),
    [
        ("sqlite:////tmp/chorus.sqlite3", None, "1"),
        ("postgres://chorus@db/chorus", None, "8"),
        ("postgres://chorus@db/chorus", "2", "2"),
    ],
)
def test_serve_runs_granian_with_threads_chosen_by_database(
    monkeypatch: pytest.MonkeyPatch, database_url: str, given: str | None, threads: str
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setenv("CHORUS_DATABASE_URL", database_url)
    monkeypatch.setattr(os, "execv", lambda _path, argv: calls.append(list(argv)))
    cli.main(["serve", "--port", "8123", *(["--threads", given] if given else [])])
    (argv,) = calls
    assert argv[argv.index("--blocking-threads") + 1] == threads
    assert "--no-access-log" in argv
    assert argv[argv.index("--port") + 1] == "8123"
    assert argv[-1] == "chorus.config.wsgi:application"  # Django behind the voice lane
