"""The request parser refuses anything but the page's exact shape, with a message."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from chorus.escrow import services
from chorus.escrow.errors import EntryInvalidError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["entries", "index", "envelopes", "key", "sealed", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@given(json_values)
def test_any_json_either_parses_or_is_refused_with_a_message(data: Any) -> None:
    refused: EntryInvalidError | None = None
    try:
        parsed = services.entries_parse(data)
    except EntryInvalidError as exc:
        refused = exc
    if refused is not None:
        assert refused.status == 400
        assert refused.message
    else:
        assert 1 <= len(parsed) <= services.MAX_ENTRIES
        assert all(len(entry.index) == 32 for entry in parsed)


@given(st.binary(min_size=32, max_size=32), st.binary(min_size=1, max_size=300))
def test_what_the_page_sends_parses_back_to_the_same_bytes(index: bytes, sealed: bytes) -> None:
    body = {
        "entries": [
            {
                "index": index.hex(),
                "envelopes": [{"key": 7, "sealed": base64.b64encode(sealed).decode()}],
            }
        ]
    }
    [entry] = services.entries_parse(body)
    assert entry.index == index
    assert entry.envelopes == {7: sealed}
