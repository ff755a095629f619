"""Text held as UTF-8 bytes: what the scanner reads, decoded to ``str`` only when needed.

``read_ticker`` on a path or a text buffer would otherwise hold the whole text as a
``str`` (2 or 4 bytes a character) beside its UTF-8 copy for the scanner; decoding and
encoding block by block keeps only the UTF-8 bytes (1 byte a character for ticker text).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import IO

import numpy as np
import numpy.typing as npt

__all__ = ["Utf8Text", "read_utf8", "utf8_from_blocks"]

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


def read_utf8(buffer: IO[str]) -> Utf8Text | str:
    """The rest of a text buffer as UTF-8 bytes, read in blocks (see
    :func:`utf8_from_blocks`); TypeError for a binary buffer."""

    def blocks() -> Iterator[str]:
        while block := buffer.read(_BLOCK):
            if not isinstance(block, str):
                raise TypeError("read_ticker() needs a text buffer; open the file in text mode")
            yield block

    return utf8_from_blocks(blocks())


def utf8_from_blocks(blocks: Iterable[str]) -> Utf8Text | str:
    """The text of ``blocks`` as UTF-8 bytes, never the whole of it as ``str``.

    Each block is encoded as it comes; the encoded blocks are then copied into one array
    and let go one by one, so memory holds about one copy of the bytes. Text that cannot be
    encoded (a lone surrogate, which the general path then reports) comes back as ``str``.
    """
    encoded: list[bytes] = []
    length = 0
    blocks = iter(blocks)
    for block in blocks:
        try:
            encoded.append(block.encode("utf-8"))
        except UnicodeEncodeError:
            before = b"".join(encoded).decode("utf-8")
            return before + block + "".join(blocks)
        length += len(block)
    # pages of the array are backed by memory only once written, block by block, while
    # each encoded block is dropped as soon as it is copied
    data = np.empty(sum(map(len, encoded)), dtype=np.uint8)
    used = 0
    encoded.reverse()
    while encoded:
        chunk = encoded.pop()
        data[used : used + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
        used += len(chunk)
    data.flags.writeable = False  # like bytes: one compiled signature for the scanner
    return Utf8Text(data, length)
