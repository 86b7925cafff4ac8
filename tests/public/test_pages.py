import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from chorus.core import pow
from chorus.core.models import SpentProof
from chorus.counts import selectors, services
from chorus.counts.models import Tally
from chorus.counts.selectors import answers_pending, voice_pending_count
from chorus.counts.services import VoiceFacts
from tests.conftest import solve, tamper

pytestmark = pytest.mark.django_db
PAGES = ["/", "/numbers", "/help", "/thanks", "/data"]


#: When `published` releases its snapshot. Not the real time: from 00:00 to 00:02 UTC the release
#: grace period keeps yesterday open, and the wave would have no day yet, only hours.
PUBLISHED_AT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def published() -> None:
    start = PUBLISHED_AT - timedelta(days=5)
    services.voices_seed(started=start, voices=[(start, VoiceFacts(country="GB"))] * 500)
    assert services.snapshot_publish(now=PUBLISHED_AT) is not None


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_without_a_snapshot(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert b"Leave this site" in response.content


@pytest.mark.usefixtures("published")
@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_with_a_snapshot(client: Client, url: str) -> None:
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [*PAGES, "/pow/challenge", "/api/v1/snapshots"])
def test_pages_send_the_safety_headers(client: Client, url: str) -> None:
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["Referrer-Policy"] == "no-referrer"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_pages_make_no_third_party_request(client: Client) -> None:
    for url in PAGES:
        html = client.get(url).content.decode()
        for attr in ('src="http', "src='http", 'href="//', "@import"):
            assert attr not in html
        assert '<link rel="stylesheet" href="/static/' in html


def test_a_voice_with_a_solved_challenge_is_counted(client: Client, payload: str) -> None:
    response = client.post("/add", {"country": "FR", "setting": "online", "altcha": payload})
    assert response.status_code == 302
    assert response["Location"] == "/thanks"
    assert voice_pending_count() == 1
    assert answers_pending(facet="country") == {"FR": 1}
    assert answers_pending(facet="setting") == {"online": 1}
    assert answers_pending(facet="form") == {"": 1}
    (period,) = {t.period for t in Tally.objects.all()}
    assert (period.minute, period.second, period.microsecond) == (0, 0, 0)


def test_the_thanks_page_marks_the_browser_and_shows_help(client: Client) -> None:
    html = client.get("/thanks").content.decode()
    assert "data-chorus-voice-added" in html
    assert "Where to get help" in html


@pytest.mark.usefixtures("published")
def test_the_thanks_page_shows_the_published_count(client: Client) -> None:
    assert "voices published so far" in client.get("/thanks").content.decode()


def test_without_javascript_a_wait_page_then_a_ticket_counts_the_voice(client: Client) -> None:
    response = client.post("/add", {"country": "DE", "decade": "1990s"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="ticket"' in html
    assert 'value="DE"' in html
    assert voice_pending_count() == 0
    ticket = pow.ticket_issue(now=time.time() - 30)
    response = client.post("/add", {"country": "DE", "decade": "1990s", "ticket": ticket})
    assert response.status_code == 302
    assert answers_pending(facet="decade") == {"1990s": 1}


def test_a_ticket_used_too_early_keeps_the_answers_and_counts_nothing(client: Client) -> None:
    ticket = pow.ticket_issue()
    response = client.post("/add", {"country": "DE", "ticket": ticket})
    assert response.status_code == 400
    html = response.content.decode()
    assert "wait a few seconds" in html
    assert ticket in html
    assert 'value="DE"' in html
    assert voice_pending_count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"setting": "moon"}, "setting"),
        ({"form": "bad"}, "form"),
        ({"sector": "Z"}, "sector"),
        ({"decade": "1850s"}, "decade"),
        ({"sector": "C", "setting": "home"}, "sector"),
    ],
)
def test_unknown_answers_are_refused_with_a_message_and_nothing_counted(
    client: Client, payload: str, data: dict[str, str], field: str
) -> None:
    response = client.post("/add", {**data, "altcha": payload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#field-{field}"' in html
    assert voice_pending_count() == 0
    assert SpentProof.objects.count() == 0  # the proof is not spent on a refused voice


def test_answers_are_kept_when_a_voice_is_refused(client: Client, payload: str) -> None:
    response = client.post(
        "/add", {"country": "FR", "setting": "home", "sector": "C", "altcha": payload}
    )
    html = response.content.decode()
    assert '<option value="FR" selected>' in html
    assert 'value="home" id="id_setting_4" checked' in html


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: "garbage", "not valid"),
        (lambda p: tamper(p, challenge__signature="00" * 32), "does not match"),
        (lambda p: tamper(p, solution__derivedKey="11" * 32), "does not match"),
    ],
)
def test_a_bad_proof_is_refused_and_counts_nothing(
    client: Client, payload: str, make, message
) -> None:
    response = client.post("/add", {"country": "FR", "altcha": make(payload)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert voice_pending_count() == 0


def test_an_expired_proof_is_refused(client: Client, config_override) -> None:
    config_override(pow_ttl_seconds=10)
    challenge = pow.challenge_issue(now=time.time() - 60)
    response = client.post("/add", {"altcha": solve(challenge)})
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert voice_pending_count() == 0


def test_a_replayed_proof_is_refused(client: Client, payload: str) -> None:
    assert client.post("/add", {"altcha": payload}).status_code == 302
    response = client.post("/add", {"altcha": payload})
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert voice_pending_count() == 1


def test_an_oversized_body_is_refused(client: Client) -> None:
    response = client.post("/add", {"country": "FR", "padding": "x" * 20000})
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert voice_pending_count() == 0


def test_malformed_utf8_is_refused(client: Client, payload: str) -> None:
    body = b"country=\xff\xfe&altcha=" + payload.encode()
    response = client.generic(
        "POST", "/add", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert voice_pending_count() == 0


def test_a_post_without_csrf_token_is_refused_keeping_the_answers() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/add", {"country": "FR"})
    assert response.status_code == 403
    assert "expired" in response.content.decode()
    assert '<option value="FR" selected>' in response.content.decode()


def test_the_network_rate_limit_refuses_voices_past_the_limit(
    client: Client, config_override
) -> None:
    config_override(rate_limit_voices=2)
    for _ in range(2):
        assert client.post("/add", {"altcha": solve(pow.challenge_issue())}).status_code == 302
    response = client.post("/add", {"altcha": solve(pow.challenge_issue())})
    assert response.status_code == 429
    assert "try again in a little while" in response.content.decode()
    assert voice_pending_count() == 2
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert other.post("/add", {"altcha": solve(pow.challenge_issue())}).status_code == 302


def test_get_on_add_is_not_allowed(client: Client) -> None:
    assert client.get("/add").status_code == 405


@pytest.mark.usefixtures("published")
def test_the_numbers_page_has_a_chart_and_a_table_for_each_fact(client: Client) -> None:
    html = client.get("/numbers").content.decode()
    for name in ("wave-hour", "wave-day", "country", "setting", "form", "sector", "decade"):
        assert f'id="chart-{name}-t"' in html
    assert html.count("<table") == 7
    assert 'role="img"' in html
    assert "voices added" in html
    assert "not how common harassment is" in html


@pytest.mark.usefixtures("published")
def test_snapshots_download_as_csv_and_json(client: Client) -> None:
    snapshot = selectors.snapshot_latest()
    assert snapshot is not None
    sid = snapshot.pk
    csv_response = client.get(f"/data/snapshots/{sid}.csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    body = csv_response.getvalue().decode()
    assert body.startswith("snapshot,released_at,table,key,label,value,suppressed_below")
    json_response = client.get(f"/data/snapshots/{sid}.json")
    data = json.loads(json_response.getvalue())
    assert data["metadata"]["mechanism"]
    assert client.get(f"/data/snapshots/{sid + 1}.csv").status_code == 404
    assert client.get(f"/data/snapshots/{sid + 1}.json").status_code == 404


@pytest.mark.usefixtures("published")
def test_the_badge_shows_the_published_total_and_may_be_embedded(client: Client) -> None:
    response = client.get("/badge.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "voices added" in response.content.decode()


def test_the_badge_without_numbers_says_so(client: Client) -> None:
    assert "no numbers yet" in client.get("/badge.svg").content.decode()


def test_the_challenge_endpoint_serves_a_fresh_v2_challenge(client: Client) -> None:
    data = client.get("/pow/challenge").json()
    assert data["parameters"]["algorithm"] == "PBKDF2/SHA-256"
    assert data["parameters"]["keySignature"]
    assert data["signature"]


def test_every_page_links_to_naming_the_person_and_signing_in_explains_it(client: Client) -> None:
    html = client.get("/").content.decode()
    assert '<a href="/account">Name the person</a>' in html
    response = client.get("/account")
    assert response.status_code == 302
    assert response["Location"] == "/account/signin"
    signin = client.get("/account/signin").content.decode()
    assert "Nobody sees the name" in signin
    assert 'href="/account/new"' in signin
