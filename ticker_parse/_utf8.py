"""Text held as UTF-8 bytes: what the scanner reads, decoded to ``str`` only when needed.

``read_ticker(io.StringIO(...))`` would otherwise hold the buffer's whole text as a ``str``
(2 or 4 bytes a character) beside its UTF-8 copy for the scanner; reading the buffer in
blocks and encoding each keeps only the UTF-8 bytes (1 byte a character for ticker text).
"""

from __future__ import annotations

import io
from functools import cached_property

import numpy as np
import numpy.typing as npt

__all__ = ["Utf8Text", "read_utf8"]

_BLOCK = 1 << 20


class Utf8Text:
    """``data`` (UTF-8) of a text of ``length`` characters; ``text`` decodes it once."""

    __slots__ = ("__dict__", "data", "length")

    def __init__(self, data: npt.NDArray[np.uint8], length: int) -> None:
        self.data = data
        self.length = length

    def __len__(self) -> int:
        return self.length

    @cached_property
    def text(self) -> str:
        """The text as ``str`` (made on first use)."""
        return self.data.tobytes().decode("utf-8")


def read_utf8(buffer: io.StringIO) -> Utf8Text | str:
    """The rest of ``buffer`` as UTF-8 bytes, read in blocks; as ``str`` if it cannot be
    encoded (a lone surrogate, which the general path then reports)."""
    start = buffer.tell()
    end = buffer.seek(0, io.SEEK_END)
    buffer.seek(start)
    # at most 4 bytes a character; pages never written are never backed by memory
    out = np.empty(4 * max(0, end - start), dtype=np.uint8)
    used = 0
    length = 0
    while block := buffer.read(_BLOCK):
        try:
            data = block.encode("utf-8")
        except UnicodeEncodeError:
            return out[:used].tobytes().decode("utf-8") + block + buffer.read()
        out[used : used + len(data)] = np.frombuffer(data, dtype=np.uint8)
        used += len(data)
        length += len(block)
    text = out[:used]
    text.flags.writeable = False  # like bytes: one compiled signature for the scanner
    return Utf8Text(text, length)
