"""The save request parser: any JSON value is either a RecordInput or a RecordError."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chorus.records.errors import RecordError
from chorus.records.services import MIN_ENVELOPE_BYTES, RecordInput, record_input_parse

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=10,
)


@given(json_values)
def test_any_other_json_is_refused_with_a_record_error(value: Any) -> None:
    # A random value never has the exact shape (three named keys and a sealed box).
    with pytest.raises(RecordError) as caught:
        record_input_parse(value)
    assert caught.value.status in (400, 413)
    assert caught.value.message


@given(
    record=st.none() | st.integers(min_value=1, max_value=2**31),
    body=st.binary(min_size=MIN_ENVELOPE_BYTES - 1, max_size=200),
)
def test_well_formed_requests_round_trip(record: int | None, body: bytes) -> None:
    envelope = b"\x01" + body
    parsed = record_input_parse(
        {"format": 1, "record": record, "envelope": base64.b64encode(envelope).decode()}
    )
    assert parsed == RecordInput(record_id=record, envelope=envelope)
