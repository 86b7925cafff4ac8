"""Byte encodings shared by the protocols: I2OSP, length prefixes and a strict reader."""

from __future__ import annotations

from chorus.crypto.errors import InvalidEnvelope, InvalidParameter


def i2osp(value: int, width: int) -> bytes:
    """Big-endian encoding of `value` in exactly `width` bytes (RFC 8017)."""
    if not 0 <= value < 256**width:
        raise InvalidParameter(f"{value} does not fit in {width} byte(s)")
    return value.to_bytes(width, "big")


def lp(value: bytes) -> bytes:
    """`I2OSP(len(value), 2) || value`: a two-byte length prefix."""
    return i2osp(len(value), 2) + value


def ascii_label(text: str) -> bytes:
    """A purpose or other label as ASCII bytes; anything else is a caller's mistake."""
    if not text.isascii():
        raise InvalidParameter("labels are ASCII")
    return text.encode("ascii")


class Reader:
    """Reads an envelope front to back; every shortfall or leftover is `InvalidEnvelope`."""

    def __init__(self, data: bytes) -> None:
        self._data = bytes(data)
        self._offset = 0

    def take(self, count: int) -> bytes:
        end = self._offset + count
        if end > len(self._data):
            raise InvalidEnvelope("envelope is truncated")
        chunk = self._data[self._offset : end]
        self._offset = end
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def uint(self, width: int) -> int:
        return int.from_bytes(self.take(width), "big")

    def prefixed(self) -> bytes:
        return self.take(self.uint(2))

    def rest(self) -> bytes:
        chunk = self._data[self._offset :]
        self._offset = len(self._data)
        return chunk

    def end(self) -> None:
        if self._offset != len(self._data):
            raise InvalidEnvelope("bytes trailing after the envelope")
