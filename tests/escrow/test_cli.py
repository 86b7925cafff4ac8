import secrets
from typing import Any

import pytest

from chorus.cli import main as cli
from chorus.escrow import services
from chorus.escrow.models import Match
from tests.escrow.factories import account_make, advocate_make

pytestmark = pytest.mark.django_db


def test_match_finds_matches_and_tells_advocates(
    capsys: pytest.CaptureFixture[str], mailoutbox: list[Any]
) -> None:
    advocate = advocate_make()
    index = secrets.token_bytes(32)
    sealed = b"\x01\x01" + bytes(services.sealed_minimum(1) - 2)
    for _ in range(2):
        services.entry_submit(
            account=account_make(), index=index, envelopes={advocate.key.pk: sealed}
        )
    assert cli.main(["match"]) == 0
    out = capsys.readouterr().out
    assert "Checked 2 new entries: 1 new matches, 2 entries joined a match." in out
    assert index.hex() not in out
    assert Match.objects.count() == 1
    assert len(mailoutbox) == 1


def test_match_with_nothing_new(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["match"]) == 0
    assert "Checked 0 new entries" in capsys.readouterr().out
