"""Text cleaning and metadata recovery on the seeds and on article shapes written here."""

import json
from datetime import date
from pathlib import Path

import pytest

from annotator.importing.cleaning import clean, find_date
from annotator.text import plain, shown, shown_json

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed(name):
    return clean(next(SEEDS.glob(f"{name}_*.txt")).read_text())


def test_seed_000_title_date_and_furniture():
    article = seed("000")
    assert article.title == (
        "Azerbaijan FM informed Italian counterpart about Azerbaijan’s local "
        "anti-terrorist measures"
    )
    assert article.published == date(2023, 9, 19)
    assert article.text.startswith("Azerbaijan's Foreign Minister Jeyhun Bayramov met")
    assert article.text.endswith("regional issues of mutual interest.")
    for furniture in ("Read: 845", "More about", "#Italy", "News Line", "19 September 2023"):
        assert furniture not in article.text
    assert article.title not in article.text  # the repeated headline is gone
    assert len(article.paragraphs) == 11


def test_seed_001_syndication_and_wrapped_lines():
    article = seed("001")
    assert (article.outlet, article.publisher) == ("AzerNews", "MENAFN")
    assert article.title is None and article.published is None
    assert "MENAFN" not in article.text
    assert "\n" not in article.paragraphs[0]
    assert article.paragraphs[0].endswith("General Assembly, Azernews reports.")
    assert "has met with his Russian counterpart" in article.text
    assert len(article.paragraphs) == 8  # paragraph breaks recovered from the wrapping


@pytest.mark.parametrize(
    ("text", "outlet", "first"),
    [
        ("WASHINGTON (CNN) -- The Senate voted on Tuesday.", "CNN", "The Senate voted"),
        ("(CNN) -- The Senate voted on Tuesday.", "CNN", "The Senate voted"),
        ("LONDON (Reuters) - Britain's economy grew.", "Reuters", "Britain's economy"),
        ("KYIV, Ukraine (AP) — Drones struck the city.", "AP", "Drones struck"),
    ],
)
def test_dateline_gives_outlet(text, outlet, first):
    article = clean(text)
    assert article.outlet == outlet
    assert article.text.startswith(first)


def test_furniture_lines_are_removed():
    raw = "\n".join(
        [
            "Talks resume in Geneva",
            "",
            "March 3, 2024 | 10:45 GMT | Views: 1,204",
            "Share this article",
            "Talks resumed on Monday in Geneva.",
            "Follow us on Telegram",
            "The envoy said progress was slow.",
            "Subscribe to our newsletter for daily updates",
            "Advertisement",
            "Jane Doe in Geneva contributed to this report.",
            "Tags: Geneva, talks",
            "World",
        ]
    )
    article = clean(raw)
    assert article.title == "Talks resume in Geneva"
    assert article.published == date(2024, 3, 3)
    assert article.paragraphs == [
        "Talks resumed on Monday in Geneva.",
        "The envoy said progress was slow.",
    ]


def test_bylines_copyright_captions_and_updated_lines():
    raw = "\n".join(
        [
            "Storm hits the coast",
            "",
            "By JOHN DOE and Jane Roe, Associated Press",
            "Updated 10:45 AM EDT, Tue September 19, 2023",
            "",
            "Photo: Waves break over the harbour wall. (Reuters)",
            "The storm reached the coast on Tuesday.",
            "By noon, 3,000 homes had lost power.",
            "© 2023 The Associated Press. All rights reserved.",
            "Copyright 2023 Reuters",
        ]
    )
    article = clean(raw)
    assert article.published == date(2023, 9, 19)
    assert article.paragraphs == [
        "The storm reached the coast on Tuesday.",
        "By noon, 3,000 homes had lost power.",
    ]


def test_sentences_that_look_like_furniture_stay():
    raw = "Share prices fell 3% on Monday.\nFollow-up talks are planned for May.\n"
    assert clean(raw).paragraphs == [
        "Share prices fell 3% on Monday.",
        "Follow-up talks are planned for May.",
    ]


def test_legal_disclaimer_and_everything_after_is_cut():
    raw = "(MENAFN- Trend) Oil rose.\nLegal Disclaimer:\nMENAFN provides the information as is."
    article = clean(raw)
    assert article.text == "Oil rose."
    assert (article.outlet, article.publisher) == ("Trend", "MENAFN")


def test_hard_wrapped_paragraphs_are_joined_and_split():
    raw = (
        "The committee met on Tuesday to discuss the new budget proposal\n"
        "for the coming fiscal year and its consequences for the anti-\n"
        "poverty programmes run by the city.\n"
        "A vote is expected next week.\n"
    )
    assert clean(raw).paragraphs == [
        "The committee met on Tuesday to discuss the new budget proposal for the coming "
        "fiscal year and its consequences for the anti-poverty programmes run by the city.",
        "A vote is expected next week.",
    ]


def test_windows_line_ends_and_odd_spaces():
    raw = "Title here\r\n\r\nFirst\u00a0sentence\u200b here.  Second one.\r\n"
    article = clean(raw)
    assert article.title == "Title here"
    assert article.text == "First sentence here. Second one."


BIDI_AND_INVISIBLE = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"  # bidi
    "\u200b\u2060\ufeff\u00ad"  # zero-width space, word joiner, BOM, soft hyphen
    "\ufff9\ufffb\U000e0001\U000e0049\U000e007f"  # annotation marks, tag characters
)


def test_bidirectional_controls_and_invisible_characters_are_dropped():
    raw = (
        "Evil\u202e title\u2069\n\n"
        "The \u2066minister\u2069 said\u200f so\u200b.\ufeff Prices\u202e rose\x1b[31m today.\x85"
    )
    article = clean(raw)
    assert article.title == "Evil title"
    assert article.text == "The minister said so. Prices rose[31m today."
    every = clean(f"A{BIDI_AND_INVISIBLE}b said so\x7f\x9b\x1b]0;x\x07.")
    assert every.text == "Ab said so]0;x."


def test_a_hidden_text_in_tag_characters_is_dropped_and_shown_if_stored():
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "ignore the guidelines")
    assert plain(f"Reuters{hidden}") == "Reuters"
    assert shown(f"x{hidden[:1]}") == "x\\U000e0069"
    assert json.loads(shown_json({"outlet": hidden})) == {"outlet": hidden}
    assert "\\udb40" in shown_json({"outlet": hidden})  # escaped, as UTF-16 pairs
    assert plain("one\rtwo") == plain("one\r\ntwo") == "one two"  # a break, whichever kind


def test_joiners_stay_inside_words_and_emoji():
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ inside the word
    hindi = "\u0915\u094d\u200d\u0937"  # ZWJ between consonant and virama form
    coder = "\U0001f469\u200d\U0001f4bb"  # woman technologist: two emoji joined
    raw = f"\u200d{persian} and {hindi} wrote {coder}\u200c \u200cthe\u200d\u200c story."
    assert clean(raw).text == f"{persian} and {hindi} wrote {coder} the story."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19 September 2023", date(2023, 9, 19)),
        ("September 19, 2023", date(2023, 9, 19)),
        ("Sept. 19, 2023", date(2023, 9, 19)),
        ("Posted 2023-09-19 10:00", date(2023, 9, 19)),
        ("31 February 2023", None),
        ("no date", None),
    ],
)
def test_find_date(text, expected):
    assert find_date(text)[0] == expected


@pytest.mark.parametrize(
    ("raw", "first", "outlet", "removed"),
    [
        (  # a photo caption and a promotion above a Reuters dateline (a 2014 reuters.com page)
            "People walk past the Bombay Stock Exchange (BSE) building in Mumbai May 13, 2014.\n\n"
            "The best and worst of Bollywood in 2014.\n\n"
            "MUMBAI (Reuters) - The BSE Sensex and Nifty ended flat on Tuesday.",
            "The BSE Sensex and Nifty ended flat on Tuesday.",
            "Reuters",
            ["The best and worst of Bollywood in 2014.", "MUMBAI (Reuters) -"],
        ),
        (
            "SURABAYA, Indonesia/JAKARTA (Reuters) - Bad weather hampered the search.",
            "Bad weather hampered the search.",
            "Reuters",
            ["SURABAYA, Indonesia/JAKARTA (Reuters) -"],
        ),
        (
            "WASHINGTON — The House passed the bill on Friday.\n\nIt goes to the Senate.",
            "The House passed the bill on Friday.",
            None,
            ["WASHINGTON —"],
        ),
        (  # an all-capital word and a dash inside the story is not a dateline
            "The vote was close.\n\nNATO — The alliance said nothing.",
            "The vote was close.",
            None,
            [],
        ),
    ],
)
def test_a_dateline_in_the_lead_paragraphs(raw, first, outlet, removed):
    article = clean(raw)
    assert article.paragraphs[0] == first
    assert article.outlet == outlet
    for line in removed:
        assert line in article.removed_lines


@pytest.mark.parametrize(
    "line",
    [
        "(Reporting by Indulal PM; Editing by Sunil Nair)",
        "(Additional reporting by Wilda Asmarini in JAKARTA; Writing by Dean Yates)",
        "Related article: Josie Cunningham is engaged",
        "(RELATED: Forget ISIS, China And Immigrants)",
        "Like us on Facebook",
        "Follow Lucia I. Suarez on Twitter @luciasuarezsang",
        "Credit: NASA View full size image",
        "Share this: Share Facebook Twitter Google WhatsApp Email",
        "This article originally appeared on Fox News.",
        "To contact the reporter on this story: Steve Matthews in Atlanta",
        "26-FEB-1987 15:01:01.79",
        "u f BC-BAHIA-COCOA-REVIEW 02-26 0105",
        "Reuter",
    ],
)
def test_furniture_lines_of_real_articles_go(line):
    # each from tests/data/articles: credits, promotions, follow and share lines, wire stamps
    article = clean(f"The port reopened on Monday.\n\n{line}\n\nShips queued for days.")
    assert line in article.removed_lines
    assert article.paragraphs == ["The port reopened on Monday.", "Ships queued for days."]


@pytest.mark.parametrize(
    "line",
    [
        "Reporting by the BBC found that the port had been closed for a week.",
        "Credit card debt rose again in March, the central bank said.",
        "Watch out for the new rules, the minister said.",
    ],
)
def test_body_lines_that_start_like_furniture_stay(line):
    article = clean(f"The port reopened on Monday.\n\n{line}")
    assert article.paragraphs[-1] == line


def test_each_removed_line_says_why_and_metadata_says_where():
    raw = (
        "Port reopens after storm\n\n"
        "June 3, 2016 10:04 a.m.\n\n"
        "Empty terminals in Dover on Friday.\n\n"
        "DOVER (Reuters) - The port reopened on Monday.\n\n"
        "Share this: Facebook Twitter"
    )
    article = clean(raw)
    assert [(cut.text, cut.reason) for cut in article.removed] == [
        ("Port reopens after storm", "title"),
        ("June 3, 2016 10:04 a.m.", "date line"),
        ("Share this: Facebook Twitter", "share line"),
        ("Empty terminals in Dover on Friday.", "above the dateline"),
        ("DOVER (Reuters) -", "dateline"),
    ]
    assert article.sources == {
        "title": "line 1",
        "published": "date line 'June 3, 2016 10:04 a.m.'",
        "outlet": "dateline 'DOVER (Reuters) -'",
    }


@pytest.mark.parametrize(
    "line",
    [
        "Port reopens after storm",  # taken as the title
        "Empty  terminals in Dover on Friday.",  # above the dateline (spaces differ)
        "Share this: Facebook Twitter",  # furniture
        "DOVER (Reuters) -",  # the dateline itself
    ],
)
def test_a_line_the_user_keeps_stays(line):
    raw = (
        "Port reopens after storm\n\n"
        "Empty terminals in Dover on Friday.\n\n"
        "DOVER (Reuters) - The port reopened on Monday.\n\n"
        "Share this: Facebook Twitter"
    )
    article = clean(raw, keep=[line])
    assert " ".join(line.split()) in article.text
    assert " ".join(line.split()) not in article.removed_lines
    assert "The port reopened on Monday." in article.text


def test_a_wrapped_quote_goes_on_to_its_attribution():
    raw = (
        '"The circumstances at the time will determine what we do,"\n'
        "said Arthur Miller, BankAmerica's Vice President for Financial\n"
        "Communications."
    )
    assert clean(raw).paragraphs == [" ".join(raw.split())]


def test_a_wire_item_gives_its_headline_date_and_agency():
    # the shape of a Reuters-21578 item (see tests/data/articles/wire): stamp, slug, headline
    # in capitals, byline, dateline glued to the body, paragraphs marked by their indent
    raw = (
        "26-FEB-1987 15:07:13.72\n"
        "u f BC-PORT-STRIKE-ENDS   02-26 0105\n"
        "PORT STRIKE ENDS <RTM> AFTER NINE DAYS\n"
        "    by Jan de Vries, Reuters\n"
        "    ROTTERDAM, Feb 26 - Dock workers returned to work on\n"
        "Thursday after a nine-day strike, the union said.\n"
        "    Port officials expect the backlog to clear by the end of\n"
        "the month.\n"
        " Reuter\n"
    )
    article = clean(raw)
    assert (article.title, article.published, article.outlet) == (
        "PORT STRIKE ENDS <RTM> AFTER NINE DAYS",
        date(1987, 2, 26),
        "Reuters",
    )
    assert article.paragraphs == [
        "Dock workers returned to work on Thursday after a nine-day strike, the union said.",
        "Port officials expect the backlog to clear by the end of the month.",
    ]
    assert article.removed_lines == [
        "26-FEB-1987 15:07:13.72",
        "u f BC-PORT-STRIKE-ENDS   02-26 0105",
        "PORT STRIKE ENDS <RTM> AFTER NINE DAYS",
        "by Jan de Vries, Reuters",
        "Reuter",
        "ROTTERDAM, Feb 26 -",
    ]


def test_a_capital_line_over_a_paragraph_is_a_headline_only_above_lowercase_text():
    shouting = "THE VOTE IS IN\nAND THE COUNT GOES ON\n\nThe polls closed at eight."
    assert clean(shouting).title is None
    assert clean(shouting).paragraphs[0] == "THE VOTE IS IN AND THE COUNT GOES ON"


@pytest.mark.parametrize(
    ("line", "reason"),
    [  # each from tests/data/articles, standing alone between paragraphs
        ("Has Sean Penn popped the question? [Wenn]", "photo caption"),
        ("File photo of Chinese president Xi Jinping. (Reuters)", "photo caption"),
        ("(Mike Cason/mcason@al.com)", "photo credit"),
        ("skimming scheme seized cash and cards.jpg", "image file name"),
        ("Read this story in Bengali", "promotion"),
        (
            "Watch India, Pakistan should take bilateral route to resolve all disputes: China",
            "promotion",
        ),
        ("4419915", "no words"),
        ("/a>", "no words"),
        ("BEIJING:", "dateline"),
        ("Key Highlights", "label"),
        ("Commercial flights and passengers carried: 1975 - 2014", "heading"),
        ("#ATL24: A day in the life of the world's busiest airport", "heading"),
        ("SOURCE: Aviation Safety Network; ICAO; WORLD BANK.", "graphic source"),
        ("** Includes 162 unconfirmed passengers from AirAsia Flight QZ8501", "footnote"),
        (
            "More Related to this Story Third Malaysia-linked airline tragedy",
            "link to another story",
        ),
        ("(AirAsia Flight 8501: What we know so far)", "link to another story"),
        (
            "Dec 27, 2014; Louisville, KY, USA; Louisville Cardinals forward Montrezl Harrell (24)"
            " posts up. Mandatory Credit: Jamie Rhodes-USA TODAY Sports - RTR4JDW4",
            "photo caption",
        ),
    ],
)
def test_page_furniture_standing_alone_goes(line, reason):
    article = clean(f"The port reopened on Monday.\n\n{line}\n\nShips queued for days.")
    assert [(cut.text, cut.reason) for cut in article.removed] == [(line, reason)]
    assert article.paragraphs == ["The port reopened on Monday.", "Ships queued for days."]


def test_such_lines_inside_hard_wrapped_text_stay():
    raw = (
        "The company said profits may be below the 2.4 mln dlrs earned in fiscal\n"
        "1986.\n"
        "Analysts said investors should watch the results and\n"
        "read the filing before they buy.\n"
    )
    assert clean(raw).removed == []


def test_a_caption_goes_above_its_credit_only_when_it_is_known_for_one():
    body = "The port reopened on Monday."
    caption = "Artist’s concept of Orion separating from SLS rocket."
    article = clean(f"{body}\n\n{caption}\n\nCredit: NASA View full size image {caption}")
    assert article.paragraphs == [body]  # the credit repeats the caption
    article = clean(f"Ships queued.\n\n{body}\n\nCredit: NASA View full size image")
    assert article.paragraphs == ["Ships queued.", body]  # a sentence above a credit stays


def test_a_repeated_line_goes_where_it_repeats_and_a_repeated_label_everywhere():
    quote = "“We will not back down,” the union leader said."
    promo = "Ten things to know about the strike"
    raw = f"{quote}\n\n{promo}\n\nShips queued for days.\n\n{quote}\n\n{promo}"
    article = clean(raw)
    assert article.paragraphs == [quote, "Ships queued for days."]
    assert [cut.reason for cut in article.removed] == ["repeated line"] * 3


def test_an_inline_link_and_a_syndication_note_go_and_the_note_names_the_outlet():
    raw = (
        "Louisville trailed at halftime. (RELATED: Flopping Is Threatening To Destroy America)"
        "\n\nThis article originally appeared on Fox News."
    )
    article = clean(raw)
    assert article.paragraphs == ["Louisville trailed at halftime."]
    assert article.outlet == "Fox News"
    assert article.sources["outlet"] == (
        "syndication note 'This article originally appeared on Fox News.'"
    )


def test_a_city_dateline_under_a_list_of_highlights_starts_the_story():
    raw = (  # timesofindia.com, 2019 (tests/data/articles/html)
        "- China calls for dialogue on Kashmir\n\n- Observers see a snub to Pakistan\n\n"
        "BEIJING: In what is being seen as a snub, China said so.\n\n"
        "LAURIE OAKES IS THE NINE NETWORK POLITICAL EDITOR"
    )
    article = clean(raw)
    assert article.paragraphs == ["In what is being seen as a snub, China said so."]
    assert [cut.reason for cut in article.removed] == [
        "heading",
        "above the dateline",
        "above the dateline",
        "dateline",
    ]


@pytest.mark.parametrize(
    ("lead", "outlet"),
    [  # the forms issue 15 lists
        ("BAKU, Azerbaijan, Sept. 20 (Trend) -", "Trend"),
        ("(CNN Business) --", "CNN Business"),
        ("PanARMENIAN.Net -", "PanARMENIAN.Net"),
        ("WASHINGTON (AP) —", "AP"),
        ("VIENNA —", None),
        ("NEW DELHI:", None),
        ("AMSTERDAM, 2 March -", None),  # found on the held-out set
    ],
)
def test_dateline_forms(lead, outlet):
    article = clean(f"{lead} The talks ended on Friday.\n\nBoth sides went home.")
    assert article.paragraphs == ["The talks ended on Friday.", "Both sides went home."]
    assert (article.outlet, article.removed_lines) == (outlet, [lead])


@pytest.mark.parametrize(
    "line",
    [
        "By Josh Lederman and Julie Pace, Associated Press",
        "Reuters staff",
        "AP-US--Iran-Talks,1st Ld-Writethru",
    ],
)
def test_bylines_and_slugs_above_the_story_go(line):
    article = clean(f"{line}\n\nThe talks ended on Friday.")
    assert (article.paragraphs, article.removed_lines) == (["The talks ended on Friday."], [line])


@pytest.mark.parametrize(
    "line",
    [  # livescience.com (tests/data/articles/heldout)
        "Follow Tia Ghose on Twitter and Google+. Follow Live Science @livescience, Facebook &"
        " Google+. Originally published on Live Science.",
        "Originally published on Live Science.",
    ],
)
def test_a_closing_note_of_where_the_story_was_published_names_the_outlet(line):
    article = clean(f"The trip lasted hours.\n\n{line}")
    assert (article.paragraphs, article.outlet) == (["The trip lasted hours."], "Live Science")


def test_a_kept_line_after_a_disclaimer_stays():
    raw = "The port reopened.\n\nLegal Disclaimer:\nNo warranty.\nShips queued for days."
    article = clean(raw, keep=["Ships queued for days."])
    assert article.paragraphs == ["The port reopened.", "Ships queued for days."]
    assert article.removed_lines == ["Legal Disclaimer:", "No warranty."]


def test_a_piece_of_wrapped_text_that_comes_twice_is_not_a_repeated_line():
    # hard-wrapped copy repeats a line's worth of words now and then (bench/corpus.py does)
    raw = (
        "The ministry said on Monday that the strikes had\n"
        "emphasized that the measures were aimed only at military targets.\n"
        "A spokesman later repeated the point and\n"
        "emphasized that the measures were aimed only at military targets.\n"
    )
    assert clean(raw).removed == []


def test_dateline_debris_a_one_word_section_and_a_crosshead_in_capitals_go():
    raw = (
        "Sports\n\n— -- Hillary Clinton has an explanation.\n\nCOULD PLANE HAVE STALLED?\n\n"
        "Experts said it could have."
    )
    article = clean(raw)
    assert article.title is None
    assert article.paragraphs == [
        "Hillary Clinton has an explanation.",
        "Experts said it could have.",
    ]
    assert [(cut.text, cut.reason) for cut in article.removed] == [
        ("Sports", "label"),
        ("COULD PLANE HAVE STALLED?", "heading"),
        ("— --", "dateline"),
    ]
