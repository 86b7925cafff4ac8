"""`expand_message_xmd` with SHA-512 (RFC 9380 section 5.3.1)."""

from __future__ import annotations

import hashlib

from chorus.crypto.errors import InvalidParameter

_B_IN_BYTES = 64  # SHA-512 output
_S_IN_BYTES = 128  # SHA-512 block: Z_pad is 128 zero bytes, not 64
_Z_PAD = bytes(_S_IN_BYTES)
_MAX_DST_BYTES = 255
_MAX_BLOCKS = 255


def expand_message_xmd(msg: bytes, dst: bytes, length: int) -> bytes:
    """`length` uniform bytes from `msg` under domain-separation tag `dst`."""
    blocks = -(-length // _B_IN_BYTES)
    if not 1 <= blocks <= _MAX_BLOCKS:
        raise InvalidParameter("expand_message_xmd length out of range")
    if len(dst) > _MAX_DST_BYTES:
        raise InvalidParameter("DST longer than 255 bytes")
    dst_prime = dst + bytes([len(dst)])
    b_0 = hashlib.sha512(_Z_PAD + msg + length.to_bytes(2, "big") + b"\x00" + dst_prime).digest()
    b_i = hashlib.sha512(b_0 + b"\x01" + dst_prime).digest()
    out = [b_i]
    b_0_int = int.from_bytes(b_0, "big")
    for i in range(2, blocks + 1):
        mixed = (b_0_int ^ int.from_bytes(b_i, "big")).to_bytes(_B_IN_BYTES, "big")
        b_i = hashlib.sha512(mixed + bytes([i]) + dst_prime).digest()
        out.append(b_i)
    return b"".join(out)[:length]
