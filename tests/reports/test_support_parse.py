"""The supporter request parsers: any input is either the parsed value or a ReportError with a
message (never another exception), and well-formed values round-trip."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chorus.reports import support
from chorus.reports.errors import ReportError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=10,
)
texts = st.text() | st.text(alphabet="ABCDEFabcdef0123456789+/=_-", max_size=100)


def _outcome(parse: Any, value: Any) -> tuple[Any, ReportError | None]:
    try:
        return parse(value), None
    except ReportError as exc:
        return None, exc


def _refused(parse: Any, value: Any) -> ReportError:
    with pytest.raises(ReportError) as caught:
        parse(value)
    assert caught.value.status in (400, 404)
    assert caught.value.message
    return caught.value


@given(json_values)
def test_any_other_json_is_refused_by_every_request_parser(value: Any) -> None:
    for parse in (
        support.invite_input_parse,
        support.accept_input_parse,
        support.supporter_change_parse,
    ):
        _refused(parse, value)


@given(texts)
def test_any_text_is_a_box_or_refused(text: str) -> None:
    box, error = _outcome(support.case_key_box_parse, text)
    if error is not None:
        assert error.code == "invalid"
    else:
        assert len(box) == support.CASE_KEY_BOX_BYTES
        assert box[0] == 1


@given(st.binary(min_size=support.CASE_KEY_BOX_BYTES - 1, max_size=support.CASE_KEY_BOX_BYTES - 1))
def test_a_well_formed_box_round_trips(rest: bytes) -> None:
    box = b"\x01" + rest
    assert support.case_key_box_parse(base64.b64encode(box).decode()) == box


@given(texts)
def test_any_text_is_a_token_or_refused(text: str) -> None:
    token, error = _outcome(support.token_parse, text)
    if error is not None:
        assert error.code == "invalid"
    else:
        assert len(token) == support.ACCEPT_TOKEN_BYTES


@given(st.binary(min_size=32, max_size=32))
def test_a_well_formed_token_round_trips(token: bytes) -> None:
    assert support.token_parse(base64.b64encode(token).decode()) == token


@given(texts)
def test_any_text_is_an_invitation_id_or_the_invalid_link(text: str) -> None:
    invite_id, error = _outcome(support.invite_id_parse, text)
    if error is not None:
        assert error.code == "invite_invalid"
        assert error.status == 404
    else:
        assert len(invite_id) == support.INVITE_ID_BYTES
        assert invite_id.hex() == text


@given(st.binary(min_size=16, max_size=16), st.booleans())
def test_a_well_formed_invitation_round_trips(invite_id: bytes, can_write: bool) -> None:
    box = b"\x01" + bytes(support.CASE_KEY_BOX_BYTES - 1)
    parsed = support.invite_input_parse(
        {"invite": invite_id.hex(), "box": base64.b64encode(box).decode(), "can_write": can_write}
    )
    assert parsed == support.InviteInput(invite_id=invite_id, box=box, can_write=can_write)
