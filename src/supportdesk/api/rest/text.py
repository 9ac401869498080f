"""The REST API shows a conversation's content as plain text (seed 002's `content`).

Messages keep what their authors wrote, markup included; other surfaces show it as is.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

# Elements after which the text continues on a new line.
_BLOCKS = frozenset(
    {"address", "blockquote", "br", "div", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
    | {"li", "ol", "p", "pre", "table", "tr", "ul"}
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def plain_text(content: str) -> str:
    """The text of a message as a reader sees it: markup dropped, entities decoded."""
    if "<" not in content and "&" not in content:
        return content.strip()
    extractor = _TextExtractor()
    extractor.feed(content)
    extractor.close()
    lines = (" ".join(line.split()) for line in html.unescape("".join(extractor.parts)).split("\n"))
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()
