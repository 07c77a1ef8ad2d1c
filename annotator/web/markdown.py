"""Markdown to HTML that is safe to put in a page: the guideline.

Two layers, so that a slip in one is caught by the other: markdown-it-py
with raw HTML off (``<script>`` and any other tag in the source come out as
text; it refuses ``javascript:``, ``vbscript:`` and ``data:`` link targets),
then nh3 (the Ammonia sanitizer) keeps only the tags, attributes and URL
schemes listed here. Only nh3's output is marked safe.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

#: What a guideline may use: text structure, emphasis, code, tables, links.
ALLOWED_TAGS = frozenset(
    {
        "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
        "h5", "h6", "hr", "li", "ol", "p", "pre", "s", "strong", "table",
        "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def render_markdown(text: str) -> Markup:
    """``text`` (Markdown) as sanitised HTML; images and raw HTML never pass."""
    html = _PARSER.render(text)
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - nh3's output, nothing else
