"""Main text and metadata of an HTML page, by trafilatura, tuned for news articles.

Comments are left out (reader comments are never the article: +1.3 F1 points on the
boilerplate dev set) and recall is favoured, because our own paragraph rules in `clean.py`
remove the furniture that recall lets through.
"""

from __future__ import annotations

from dataclasses import dataclass

from trafilatura import bare_extraction

# htmldate options: original publication date, and no "extensive search" that picks
# a date out of any text on the page (a guess, which SPEC forbids).
_DATE_PARAMS = {"original_date": True, "extensive_search": False}


@dataclass(frozen=True, slots=True)
class HtmlExtract:
    text: str
    title: str | None
    published: str | None
    sitename: str | None
    url: str | None


def extract_html(html: str, url: str | None = None) -> HtmlExtract:
    result = bare_extraction(
        html,
        url=url,
        include_comments=False,
        favor_recall=True,
        with_metadata=True,
        date_extraction_params=_DATE_PARAMS,
    )
    if result is None:
        return HtmlExtract("", None, None, None, url)
    return HtmlExtract(
        text=result.text or "",
        title=(result.title or None),
        published=(result.date or None),
        sitename=(result.sitename or None),
        url=(result.url or url),
    )
