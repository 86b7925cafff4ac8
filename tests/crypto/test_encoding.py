"""I2OSP, length prefixes, labels and the strict reader."""

from __future__ import annotations

import pytest

from chorus.crypto.encoding import Reader, ascii_label, i2osp, lp
from chorus.crypto.errors import InvalidEnvelope, InvalidParameter


def test_i2osp_is_big_endian_and_bounded():
    assert i2osp(258, 2) == b"\x01\x02"
    assert i2osp(0, 1) == b"\x00"
    for value, width in ((256, 1), (-1, 2), (2**16, 2)):
        with pytest.raises(InvalidParameter):
            i2osp(value, width)


def test_lp_prefixes_two_bytes_of_length():
    assert lp(b"abc") == b"\x00\x03abc"
    assert lp(b"") == b"\x00\x00"
    assert len(lp(bytes(65535))) == 65537
    with pytest.raises(InvalidParameter):
        lp(bytes(65536))


def test_labels_are_ascii():
    assert ascii_label("escrow-share") == b"escrow-share"
    with pytest.raises(InvalidParameter):
        ascii_label("\u017f")


def test_reader_reads_exactly_and_refuses_leftovers():
    reader = Reader(b"\x01\x00\x02ab\x00\x00\x00\x07rest")
    assert reader.byte() == 1
    assert reader.prefixed() == b"ab"
    assert reader.uint(4) == 7
    assert reader.rest() == b"rest"
    reader.end()
    with pytest.raises(InvalidEnvelope):
        reader.take(1)
    with pytest.raises(InvalidEnvelope):
        Reader(b"\x00\x05abc").prefixed()
    leftover = Reader(b"ab")
    leftover.take(1)
    with pytest.raises(InvalidEnvelope):
        leftover.end()
