"""Markdown text pieces every Markdown section uses: escaping, tables, theme shares."""

from __future__ import annotations

import re
from typing import Any

from .formatting import plain_num, plain_p

__all__ = ["md_escape", "md_table", "shares_text"]


def md_escape(text: Any) -> str:
    r"""Make a value safe inside a Markdown table cell (pipes, newlines, HTML, links).

    Markdown's own escapes, never HTML entities (a viewer that shows the file as
    text would show ``&lt;``): a ``<`` that could open a tag or an autolink, an
    ``&`` that could start an entity and a leading ``>`` (a quote) get a
    backslash; ``<0.001`` or ``AT&T`` stay as written. A comment can hold
    Markdown link or image syntax: ``[x](javascript:...)`` would be a link to
    click and ``![](http://...)`` an image a viewer fetches (a beacon).
    Escaping the ``(`` after ``]`` leaves both as plain text.

    >>> md_escape("see ![](http://x.example/p.png) and [me](javascript:alert(1))")
    'see ![]\\(http://x.example/p.png) and [me]\\(javascript:alert(1))'
    >>> md_escape("<b>bold</b> & AT&T &amp; q <0.001 | > 2")
    '\\<b>bold\\</b> & AT&T \\&amp; q <0.001 \\| > 2'
    >>> print(md_escape("> quoted"), md_escape("C:\\Users \\<b>"))
    \> quoted C:\Users \\\<b>
    """
    s = " ".join(str(text).split())
    s = _ESCAPING.sub(r"\\\\", s)
    s = _TAG_START.sub(r"\\<", s)
    s = _ENTITY.sub(r"\\&", s)
    for ch, rep in (("|", "\\|"), ("](", "]\\(")):
        s = s.replace(ch, rep)
    return "\\" + s if s.startswith(">") else s


#: A backslash that would escape the character after it (CommonMark: ASCII punctuation).
_ESCAPING = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
#: A ``<`` CommonMark may read as the start of a tag, a comment or an autolink.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
#: An ``&`` CommonMark may read as the start of an entity (``&amp;``, ``&#60;``, ``&#x3c;``).
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def md_table(headers: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def shares_text(r: Any) -> str:
    """'26.1% vs 5.5% (+20.6 pp, q=<0.001)'."""
    return (
        f"{plain_num(r.share_detractors, '.1%')} vs {plain_num(r.share_promoters, '.1%')} "
        f"({plain_num(r.diff_pp, '+.1f')} pp, q={plain_p(r.q_value)})"
    )
