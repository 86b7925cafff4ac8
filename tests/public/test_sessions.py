"""Survivor sessions after a security review: a session ends with the codename that opened it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from chorus.accounts import codename as cn
from chorus.core import pow
from tests.conftest import solve
from tests.public.test_abuse_limits import _ask

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_recovery_signs_out_every_session_of_the_old_codename() -> None:
    # Recovery is what a survivor does when the codename is lost or known to someone else: a
    # session that person opened with the old codename must not outlive it.
    intruder = Client()
    main = cn.codename_keys(cn.codename_generate())
    rescue = cn.recovery_keys(cn.recovery_generate())
    sid = cn.sid_generate()
    body = {
        "auth": main.auth.hex(),
        "recovery_auth": rescue.auth.hex(),
        "sid_wrapped": cn.sid_wrap(wrap=main.wrap, sid=sid).hex(),
        "sid_wrapped_recovery": cn.sid_wrap(wrap=rescue.wrap, sid=sid, recovery=True).hex(),
        "altcha": solve(pow.challenge_issue()),
    }
    assert intruder.post("/account/new", json.dumps(body), content_type=JSON).status_code == 201
    assert intruder.get("/account").status_code == 200
    survivor = Client()
    new = cn.codename_keys(cn.codename_generate())
    recover = {
        "recovery_auth": rescue.auth.hex(),
        "auth": new.auth.hex(),
        "sid_wrapped": cn.sid_wrap(wrap=new.wrap, sid=sid).hex(),
    }
    assert (
        survivor.post("/account/recover", json.dumps(recover), content_type=JSON).status_code == 200
    )
    assert survivor.get("/account").status_code == 200
    assert intruder.get("/account").status_code == 302
    assert _ask(intruder, 1).status_code == 403
    assert survivor.get("/account").status_code == 200  # the new codename's session stays


def test_every_survivor_json_endpoint_says_signed_out_the_same_way() -> None:
    for url in ("/escrow/oprf", "/escrow/entries", "/records/envelopes"):
        response = Client().post(url, "{}", content_type=JSON)
        assert response.status_code == 403, url
        assert response.json()["code"] == "signed_out", url
        assert set(response.json()) == {"message", "code"}
