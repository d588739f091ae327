"""Generic extraction: headline lists, currency-rate tables, the copyright line."""

from newsarchive.extractors.generic import extract_generic

PARA = "<p>" + "The article says something long enough to be a paragraph, really. " * 3 + "</p>"


def test_headlines_absolute_once_each_outside_the_article():
    html = f"""<html><body>
    <ul class="latest">
      <li><a href="/news/1-first-headline">First headline of the day</a></li>
      <li><a href="https://example.com/news/2-second">Second headline of the day</a></li>
      <li><a href="/news/1-first-headline">First headline of the day</a></li>
      <li><a href="/about">About</a></li>
      <li><a href="https://other.org/x/y">An external site headline here</a></li>
    </ul>
    <article>{PARA}<p>Read <a href="/news/3-inline-link-in-text">an inline link inside the
    text</a> of the article, which is long enough to count as a paragraph.</p>{PARA}</article>
    </body></html>"""
    rec = extract_generic(html, "https://example.com/news/0-this-page")
    assert rec["boilerplate"]["headlines"] == [
        {"title": "First headline of the day", "url": "https://example.com/news/1-first-headline"},
        {"title": "Second headline of the day", "url": "https://example.com/news/2-second"},
    ]


def test_rate_table_with_dated_columns():
    html = f"""<html><body><article>{PARA}</article>
    <table class="rates">
      <tr><th>Currency</th><th>02.05.2014</th><th>03.05.2014</th></tr>
      <tr><td>1 USD</td><td>0.7843</td><td>0,7850</td></tr>
      <tr><td>1 EUR</td><td>1.0876</td><td>1.0890</td></tr>
    </table></body></html>"""
    rates = extract_generic(html, "https://example.com/a")["boilerplate"]["rates"]
    assert rates == [
        {"currency": "USD", "date": "2014-05-02", "rate": 0.7843},
        {"currency": "USD", "date": "2014-05-03", "rate": 0.785},
        {"currency": "EUR", "date": "2014-05-02", "rate": 1.0876},
        {"currency": "EUR", "date": "2014-05-03", "rate": 1.089},
    ]


def test_rate_table_dated_by_heading_and_plain_tables_ignored():
    html = f"""<html><body><article>{PARA}</article>
    <h3>Rates for 2014-05-02</h3>
    <table><tr><td>USD</td><td>0.7843</td></tr><tr><td>RUB</td><td>0.0220</td></tr></table>
    <table><tr><td>Goals</td><td>3</td></tr><tr><td>Shots</td><td>12</td></tr></table>
    </body></html>"""
    rates = extract_generic(html, "https://example.com/a")["boilerplate"]["rates"]
    assert rates == [
        {"currency": "USD", "date": "2014-05-02", "rate": 0.7843},
        {"currency": "RUB", "date": "2014-05-02", "rate": 0.022},
    ]


def test_copyright_line_collapsed_and_null_when_absent():
    html = f"""<html><body><article>{PARA}</article><footer><div class="copy">
    ©  2024   Example   News.
    All rights reserved.</div></footer></body></html>"""
    rec = extract_generic(html, "https://example.com/a")
    assert rec["boilerplate"]["copyright"] == "© 2024 Example News. All rights reserved."
    rec = extract_generic(f"<html><body>{PARA}</body></html>", "https://example.com/a")
    assert rec["boilerplate"]["copyright"] is None


def test_copyright_in_other_languages():
    html = f"<html><body>{PARA}<div>Bütün hüquqlar qorunur. 2024 Xəbər</div></body></html>"
    rec = extract_generic(html, "https://example.az/a")
    assert rec["boilerplate"]["copyright"] == "Bütün hüquqlar qorunur. 2024 Xəbər"
