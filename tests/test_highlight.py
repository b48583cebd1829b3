"""The document page's text: nested mentions each keep a link of their own."""

from __future__ import annotations

from threatwatch.records import Document, Mention, Paragraph
from threatwatch.web.highlight import render_text


def test_nested_mentions_link_the_inner_name_to_its_own_entity() -> None:
    text = "Главный редактор «Эха Москвы» дал интервью."
    outer_start = text.index("Эха")
    inner_start = text.index("Москвы")
    # the inner mention listed first: the order the store gives must not matter
    mentions = [Mention(inner_start, inner_start + 6, "Москвы", "location", "geo:524901"),
                Mention(outer_start, inner_start + 6, "Эха Москвы", "organization", "organization:ekh-moskvy")]
    doc = Document(id="d", path="d", raw=text, text=text, paragraphs=(Paragraph(0, len(text), "ru"),))
    (html,) = render_text(doc, mentions, [], [])
    assert '<a href="/entities/organization:ekh-moskvy">Эха </a>' in html
    assert '<a href="/entities/geo:524901">Москвы</a>' in html
