"""Generic extraction: article text vs boilerplate, dateline, language, encodings."""

from newsarchive.extractors.generic import extract_generic

PARA = (
    "The council approved the new budget on Tuesday, after a long debate about schools, "
    "roads and the water supply, which several members said had been neglected for years."
)


def page(article: str, extra: str = "", head: str = "") -> str:
    return f"""<html lang="en-GB"><head><title>Budget approved | Daily Example</title>{head}
    </head><body>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
    <div class="sidebar"><h3>Most read</h3><ul>
      <li><a href="/news/one-long-headline-about-things">One long headline about things</a></li>
      <li><a href="/news/another-headline-about-more">Another headline about more things</a></li>
    </ul></div>
    <article><h1>Budget approved</h1>{article}</article>
    {extra}
    <footer><p>© 2024 Daily Example Ltd. All rights reserved.</p></footer>
    </body></html>"""


def test_body_is_the_article_paragraphs_only():
    html = page(
        f"<p>{PARA}</p><div class='share-buttons'><a href='#'>Share on Facebook</a></div>"
        f"<p>{PARA.replace('Tuesday', 'Monday')}</p>"
        "<figure><img src='x.jpg'><figcaption>A photo caption</figcaption></figure>"
        f"<h2>What comes next</h2><p>{PARA.replace('schools', 'parks')}</p>"
    )
    rec = extract_generic(html, "https://example.com/news/budget")
    paras = rec["body"].split("\n\n")
    assert paras[0] == PARA
    assert "What comes next" in paras
    assert "Share on Facebook" not in rec["body"]
    assert "caption" not in rec["body"]
    assert "Most read" not in rec["body"] and "Home" not in rec["body"]
    assert "©" not in rec["body"]


def test_comments_are_not_the_body():
    comments = "".join(
        f"<div class='comment'><p>{PARA} Comment number {i}, with, many, commas.</p></div>"
        for i in range(8)
    )
    html = page(f"<p>{PARA}</p><p>{PARA}</p>", extra=f"<div id='comments'>{comments}</div>")
    rec = extract_generic(html, "https://example.com/news/budget")
    assert "Comment number" not in rec["body"]
    assert rec["body"].startswith(PARA)


def test_br_separated_text_and_whitespace_collapsed():
    html = page(
        f"<div class='text'>{PARA}<br><br>Second   paragraph\n  of text, long enough "
        "to count as a paragraph of the article body.<br></div>"
    )
    rec = extract_generic(html, "https://example.com/a")
    assert rec["body"].split("\n\n") == [
        PARA,
        "Second paragraph of text, long enough to count as a paragraph of the article body.",
    ]


def test_dateline_found_and_body_kept_whole():
    first = "LONDON (Reuters) - " + PARA
    rec = extract_generic(page(f"<p>{first}</p><p>{PARA}</p>"), "https://example.com/a")
    assert rec["dateline"] == "LONDON (Reuters)"
    assert rec["body"].startswith(first)
    first = "BAKU, Azerbaijan, May 2 (Trend) – " + PARA
    rec = extract_generic(page(f"<p>{first}</p><p>{PARA}</p>"), "https://example.com/a")
    assert rec["dateline"] == "BAKU, Azerbaijan, May 2 (Trend)"


def test_no_dateline_on_ordinary_opening():
    rec = extract_generic(page(f"<p>{PARA}</p><p>{PARA}</p>"), "https://example.com/a")
    assert rec["dateline"] is None


def test_language_declared_and_guessed():
    rec = extract_generic(page(f"<p>{PARA}</p>"), "https://example.com/a")
    assert rec["lang"] == "en-GB"
    de = (
        "Der Rat hat den Haushalt am Dienstag beschlossen, und die Mitglieder sagten, dass "
        "die Schulen und die Straßen nicht mit dem Geld für das Wasser auf der Liste sind."
    )
    html = f"<html><body><article><p>{de}</p><p>{de}</p></article></body></html>"
    assert extract_generic(html, "https://example.de/a")["lang"] == "de"


def test_encodings_bytes_meta_charset_and_utf8():
    text = "Bakıda yeni büdcə qəbul edildi, deputatlar məktəblər və yollar barədə danışdılar."
    html = f"<html><head><meta charset='utf-8'></head><body><p>{text}</p></body></html>"
    assert extract_generic(html.encode("utf-8"), "https://x.az/a")["body"] == text
    ru = "Совет утвердил бюджет во вторник, после долгих споров о школах и дорогах города."
    html = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1251'>"
        f"</head><body><p>{ru}</p></body></html>"
    )
    assert extract_generic(html.encode("cp1251"), "https://x.ru/a")["body"] == ru


def test_empty_page_gives_empty_record():
    rec = extract_generic(b"", "https://example.com/a")
    assert rec["body"] == "" and rec["title"] == "" and rec["published"] is None
    assert rec["boilerplate"] == {"headlines": [], "rates": [], "copyright": None}
