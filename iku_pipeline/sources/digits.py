"""A NOP's digits taken out of its text at scale (docs/data-contract.md §2: every
character of a NOP that is not a digit is dropped), for ``parsers.parse_nop``."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_DIGITS_ROWS = 1 << 16  # rows of text whose bytes are looked at together


def digits_only(text: pa.ChunkedArray) -> pa.ChunkedArray:
    r"""``pc.replace_substring_regex(text, r"\D", "")``: the text's ASCII digits only.

    Done on the strings' bytes in numpy: in UTF-8 every character other than 0-9 is
    made of bytes other than 0-9 (a multibyte character's are all 0x80 or above), so
    dropping every byte that is not a digit is exactly the regex's result, several
    times faster (RE2 replaces match by match: 1.3 s for a file of 2.4M dotted NOPs).
    A few thousand rows at a time, so the per-byte arrays stay small; the text's chunks
    are kept as they are (a staged column's chunks are the store's record batches).
    """
    chunks = []
    for chunk in text.chunks:
        starts = range(0, len(chunk), _DIGITS_ROWS) or [0]  # an empty chunk stays one
        pieces = [_digits_of(chunk.slice(lo, _DIGITS_ROWS)) for lo in starts]
        chunks.append(pieces[0] if len(pieces) == 1 else pa.concat_arrays(pieces))
    return pa.chunked_array(chunks, type=text.type)


def _digits_of(strings: pa.Array) -> pa.Array:
    n = len(strings)
    wide = pa.types.is_large_string(strings.type) or pa.types.is_large_binary(strings.type)
    index = np.int64 if wide else np.int32
    _, offsets_buffer, data_buffer = strings.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=index)[strings.offset : strings.offset + n + 1]
    lo, hi = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(data_buffer, dtype=np.uint8, count=hi)[lo:] if hi else np.zeros(0, np.uint8)
    keep = (data - np.uint8(ord("0"))) < 10  # a byte 0-9 (the others wrap past 9)
    # Digits before each byte (int32 whenever the bytes allow: half the memory traffic).
    kept = np.zeros(len(data) + 1, dtype=np.int32 if len(data) < 2**31 else np.int64)
    np.cumsum(keep, out=kept[1:])
    starts = kept[offsets - lo].astype(index, copy=False)
    buffers = [None, pa.py_buffer(starts), pa.py_buffer(np.compress(keep, data))]
    out = pa.Array.from_buffers(strings.type, n, buffers)
    if strings.null_count:
        out = pc.if_else(strings.is_valid(), out, pa.scalar(None, strings.type))
    return out
