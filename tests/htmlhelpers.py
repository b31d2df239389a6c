"""Checks on the HTML a page sends."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from typing import Any


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self._template = 0  # ids inside <template> are copied by script, never shown twice as such

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "template":
            self._template += 1
        if self._template:
            return
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "template" and self._template:
            self._template -= 1


def duplicate_ids(html: str) -> list[str]:
    """The ids that more than one element of ``html`` carries."""
    parser = _Ids()
    parser.feed(html)
    return sorted(value for value, count in parser.ids.items() if count > 1)


def page_html(response: Any) -> str | None:
    """The HTML of a 200 page, or None (a redirect, an error, a download, JSON)."""
    if response.status_code != 200 or response.streaming:
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    return response.content.decode()
