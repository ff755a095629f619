"""Placeholder: replaced by the HTML renderer (branch ``markup``)."""

from __future__ import annotations

import re

__all__ = ["looks_like_html", "render_edits"]

_TAG = re.compile(r"<!--.*?-->|<(?:script|style)\b.*?</(?:script|style)>|</?[A-Za-z][^<>]{0,2000}>", re.S | re.I)


def looks_like_html(text: str) -> bool:
    return re.search(r"</?(?:html|body|div|span|p|br|td|li|a)\b[^<>]{0,2000}>", text, re.I) is not None


def render_edits(
    text: str, *, focus: bool = False, deadline: float | None = None
) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), "") for m in _TAG.finditer(text)]
