"""HTML to readable text for previews: paragraphs, line breaks, list bullets, link targets."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements that start and end a block of text; headings and paragraphs get a blank line.
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "header", "li", "main", "nav", "ol",
        "section", "table", "tbody", "thead", "tfoot", "tr", "ul", "center", "label",
        "select", "option",
    }
)  # fmt: skip
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"})
# Content that is never shown as text on the page.
_HIDDEN = frozenset({"head", "script", "style", "title", "template", "noscript"})
_SPACES = re.compile(r"[ \t\r\n\f]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.links: list[tuple[str, int]] = []  # (href, where its text starts)
        self.pre = 0

    def _tail(self) -> str:
        """The text so far without trailing spaces (they vanish at a line end anyway)."""
        return "".join(self.parts[-8:]).rstrip(" \t") if self.parts else ""

    def _newlines(self, count: int) -> None:
        """End the current line so that `count` newlines separate it from what follows."""
        if not "".join(self.parts).strip():
            return  # nothing yet: no leading blank lines
        tail = self._tail()
        have = len(tail) - len(tail.rstrip("\n"))
        self.parts.append("\n" * max(0, count - have))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _PARAGRAPH:
            self._newlines(2)
            self.pre += tag == "pre"
        elif tag in _BLOCK:
            self._newlines(1)
            if tag == "li":
                self.parts.append("• ")
            elif tag == "option":
                self.parts.append("  ◦ ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self._newlines(1)
            self.parts.append("――――――――――")
            self._newlines(1)
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"[image: {alt}]")
        elif tag == "input":
            self.parts.append(_control(dict(attrs)))
        elif tag == "textarea":
            self.parts.append("[__________] ")
        elif tag == "button":
            self.parts.append(" [ ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img", "input"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _PARAGRAPH:
            self.pre -= tag == "pre"
            self._newlines(2)
        elif tag in _BLOCK:
            self._newlines(1)
        elif tag == "button":
            self.parts.append(" ]")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:]).strip()
            # The target is what a reader of plain text needs; skip it when it is the label.
            if href and not href.startswith("#") and href != label:
                self.parts.append(f" ({href})" if label else href)

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.pre > 0:
            self.parts.append(data)
            return
        text = _SPACES.sub(" ", data)
        # One space between words across tags, none at the start of a line.
        if text.startswith(" ") and (not self.parts or self._tail()[-1:] in ("", "\n", " ")):
            text = text[1:]
        if self.parts and self.parts[-1].endswith(" ") and text.startswith(" "):
            text = text[1:]
        self.parts.append(text)


def _control(attrs: dict[str, str | None]) -> str:
    """A form control drawn in text: ( ) radio, [ ] checkbox, [____] for typed answers."""
    kind = (attrs.get("type") or "text").lower()
    if kind == "hidden":
        return ""
    if kind == "radio":
        return "( ) "
    if kind == "checkbox":
        return "[ ] "
    if kind in ("submit", "button", "reset"):
        return f" [ {attrs.get('value') or kind.capitalize()} ] "
    hint = attrs.get("placeholder") or ""
    return f"[{hint or '__________'}] "


def html_to_text(html: str) -> str:
    """Readable text of an HTML document (no tags, blocks on their own lines, link targets)."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
