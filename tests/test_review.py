"""The review page of agreement figures: access, background computation, bad input."""

import re
import time

from annotator.extensions import db
from annotator.models import Annotation, Gold, Sentence
from annotator.pages.showing import Span, marked, shown
from annotator.schema import Scheme
from tests.helpers import import_texts, labels


def figures_page(client, query=""):
    """The agreement page once its figures are current (they are computed in a thread)."""
    deadline = time.monotonic() + 20
    while True:
        response = client.get(f"/review/agreement{query}")
        if 'hx-trigger="every 2s"' not in response.text or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def summary_row(page, field):
    """The figures in ``field``'s row of the page's first summary table, as shown: items,
    annotators, percent, alpha, Fleiss' kappa, AC1, Cohen's kappa."""
    row = re.search(rf'<th scope="row">{re.escape(field)}</th>(.*?)</tr>', page, re.S)[1]
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r'<td class="num">(.*?)</td>', row)]


def labelled(tmp_path, make_user):
    """Two annotators who agree on two sentences and disagree on a third."""
    (sentences,) = import_texts(tmp_path, ["One is here.", "Two is here.", "Three is here."])
    for name, claims in (
        ("ann", ["claim", "claim", "claim"]),
        ("bob", ["claim", "claim", "not_claim"]),
    ):
        user = make_user(name)
        for sentence_id, claim in zip(sentences, claims, strict=True):
            db.session.add(
                Annotation(
                    sentence_id=sentence_id, annotator_id=user.id, labels=labels(claim=claim)
                )
            )
    db.session.commit()


def test_reviewers_and_admins_see_the_figures(client, auth, make_user, tmp_path):
    labelled(tmp_path, make_user)
    for role in ("reviewer", "admin"):
        auth.login(role)
        page = figures_page(client)
        assert page.status_code == 200
        assert "6 annotations of 3 sentences" in page.text
        # items, annotators, percent (ann and bob agree on 2 of 3), alpha, Fleiss, AC1, Cohen
        assert summary_row(page.text, "claim") == [
            "3", "2", "0.667", "0.000", "-0.200", "0.613", "0.000",
        ]  # fmt: skip
        auth.logout()


def test_annotators_and_strangers_are_kept_out(client, auth):
    assert client.get("/review/agreement").status_code == 302  # to the login page
    auth.login("annotator")
    assert client.get("/review/agreement").status_code == 403


def test_the_page_answers_at_once_and_fills_in_by_htmx(client, auth, make_user, tmp_path):
    labelled(tmp_path, make_user)
    auth.login("reviewer")
    first = client.get("/review/agreement")
    assert first.status_code == 200
    assert "Computing the figures for the first time" in first.text
    assert 'hx-trigger="every 2s"' in first.text
    figures_page(client, "?by=annotator")
    partial = client.get("/review/agreement?by=annotator", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="agreement"')
    assert "hx-trigger" not in partial.text
    each = dict(
        re.findall(r'<tr><th scope="row">(\w+)</th>\s*<td class="num">([^<]*)', partial.text)
    )
    assert each == {"ann": "0.667 · κ 0.000 · α", "bob": "0.667 · κ 0.000 · α"}  # on claim


def test_the_page_and_its_partial_tell_caches_they_vary_with_htmx(client, auth):
    auth.login("reviewer")
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/review/agreement", headers=headers)
        assert response.status_code == 200
        assert "HX-Request" in response.vary


def test_changed_annotations_are_recomputed(client, auth, make_user, tmp_path):
    labelled(tmp_path, make_user)
    auth.login("reviewer")
    assert "6 annotations of 3 sentences" in figures_page(client).text
    db.session.execute(db.delete(Annotation).where(Annotation.id == 1))
    db.session.commit()
    stale = client.get("/review/agreement")
    assert "6 annotations of 3 sentences" in stale.text
    assert "The annotations have changed since" in stale.text
    assert "5 annotations of 3 sentences" in figures_page(client).text


def test_an_unknown_grouping_says_so(client, auth):
    auth.login("reviewer")
    page = figures_page(client, "?by=document")
    assert "There is no grouping &#39;document&#39;; showing the whole project." in page.text


def test_a_level_the_labels_cannot_carry_is_shown_not_crashed(
    app, client, auth, make_user, tmp_path
):
    labelled(tmp_path, make_user)
    app.extensions["scheme"] = Scheme(claim_level="interval")
    auth.login("reviewer")
    page = figures_page(client)
    assert page.status_code == 200
    assert "claim: level &#39;interval&#39; needs numeric labels" in page.text


def test_no_annotations_yet_shows_dashes_and_reasons(client, auth):
    auth.login("reviewer")
    page = figures_page(client)
    assert page.status_code == 200
    assert "0 annotations of 0 sentences" in page.text
    assert "no sentence has two annotations yet" in page.text


def test_disagreements_are_for_reviewers_only(client, auth, make_user, tmp_path):
    labelled(tmp_path, make_user)
    auth.login("annotator")
    for path in ("/review/disagreements", "/review/sentences/3"):
        assert client.get(path).status_code == 403
    assert client.post("/review/sentences/3/take/ann").status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Gold)) == 0


def test_the_list_filters_and_a_bad_gold_form_stores_nothing(client, auth, make_user, tmp_path):
    labelled(tmp_path, make_user)
    auth.login("reviewer")
    page = client.get("/review/disagreements")
    assert "<strong>1</strong> sentences where annotators disagree" in page.text
    assert "Three is here." in page.text
    assert "Three is here." not in client.get("/review/disagreements?field=outlet").text
    assert "Three is here." in client.get("/review/disagreements?annotator=bob").text
    bad = client.post(
        "/review/sentences/3",
        data={"claim": "claim", "source_type": "author", "stance_0": "none", "stance_1": "none",
              "source_start": "9", "source_end": "2"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "is not inside the sentence" in bad.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Gold)) == 0
    assert client.post("/review/sentences/3/take/nobody").status_code == 404
    taken = client.post("/review/sentences/3/take/bob", data={"note": "bob is right"})
    assert taken.status_code == 302
    gold = db.session.scalar(db.select(Gold))
    assert (gold.labels["claim"], gold.method, gold.note) == (
        "not_claim",
        "reviewer",
        "bob is right",
    )


def test_gold_notes_lose_control_and_bidi_characters(client, auth, make_user, tmp_path):
    labelled(tmp_path, make_user)
    auth.login("reviewer")
    hostile = "\x1b[2J\u202eright\u2069\r\nbecause\x07"
    taken = client.post("/review/sentences/3/take/bob", data={"note": f"bob is {hostile}"})
    assert taken.status_code == 302
    assert db.session.scalar(db.select(Gold)).note == "bob is [2Jright\nbecause"
    edited = client.post(
        "/review/sentences/3",
        data={"claim": "claim", "source_type": "author", "stance_0": "none", "stance_1": "none",
              "outlet": f"Wire{hostile}", "note": f"edited {hostile}"},
    )  # fmt: skip
    assert edited.status_code == 302
    gold = db.session.scalar(db.select(Gold))
    assert (gold.note, gold.labels["outlet"]) == (
        "edited [2Jright\nbecause",
        "Wire[2Jright because",
    )


def annotator_choices(page):
    """The names offered by the disagreement list's annotator filter."""
    select = page.split('<select name="annotator">')[1].split("</select>")[0]
    return re.findall(r"<option(?: selected)?>([^<]*)</option>", select)


def test_the_annotator_filter_offers_only_people_who_labelled(client, auth, make_user, tmp_path):
    labelled(tmp_path, make_user)
    make_user("idle")  # an annotator who has labelled nothing yet
    make_user("lead", role="admin")
    skipper = make_user("skipper")
    labeller = make_user("rev", role="reviewer")  # reviewers may label too
    db.session.add_all([
        Annotation(sentence_id=1, annotator_id=skipper.id, labels={}, skipped=True),
        Annotation(sentence_id=2, annotator_id=labeller.id, labels=labels(claim="claim")),
    ])  # fmt: skip
    db.session.commit()
    auth.login("reviewer")
    page = client.get("/review/disagreements").text
    assert annotator_choices(page) == ["ann", "bob", "rev"]


def test_no_key_hint_on_the_review_page_can_be_read_as_a_digit(client, auth, make_user, tmp_path):
    labelled(tmp_path, make_user)
    auth.login("reviewer")
    page = client.get("/review/sentences/3").text
    keys = re.findall(r"<kbd>([^<]*)</kbd>", page)
    assert keys[:2] == ["1", "2"]  # take ann's, take bob's
    assert not [key for key in keys if key in ("l", "I", "O", "o")], keys
    assert "Back to the list <kbd>b</kbd>" in page


def span_of(text, words):
    """The {"start", "end"} of ``words`` in ``text``."""
    start = text.index(words)
    return {"start": start, "end": start + len(words)}


def test_spans_show_their_words_marked_in_the_sentence_escaped(client, auth, make_user, tmp_path):
    ((sentence_id,),) = import_texts(tmp_path, ["Officials at <b>Acme</b> & Co said it rained."])
    text = db.session.get(Sentence, sentence_id).text
    source, cue = span_of(text, "<b>Acme</b> & Co"), span_of(text, "said")
    for name, given in (("ann", {"source": source, "cue": cue}), ("bob", {"cue": cue})):
        value = labels(claim="claim")
        value["attribution"].update(given)
        user = make_user(name)
        db.session.add(Annotation(sentence_id=sentence_id, annotator_id=user.id, labels=value))
    gold = labels(claim="claim")
    gold["attribution"]["source"] = span_of(text, "Officials at <b>Acme</b>")
    db.session.add(Gold(sentence_id=sentence_id, labels=gold, method="reviewer"))
    db.session.commit()
    auth.login("reviewer")
    page = client.get(f"/review/sentences/{sentence_id}").text
    assert not re.search(r"\d+ to \d+", page)  # no "13 to 29"
    table = page.split('<table class="side-by-side">')[1].split("</table>")[0]
    assert "“&lt;b&gt;Acme&lt;/b&gt; &amp; Co”" in table  # ann's source, in words
    assert table.count("“said”") == 2  # both cues
    assert "“Officials at &lt;b&gt;Acme&lt;/b&gt;”" in table  # the gold column
    spans = page.split('class="marked-spans"')[1].split("</section>")[0]
    rows = dict(re.findall(r"<th scope=\"row\">(\w+)</th>\s*<td>(.*?)</td>", spans, re.S))
    assert set(rows) == {"ann", "bob", "gold"}
    marks = {name: re.findall(r'<mark class="([^"]+)"[^>]*>([^<]*)</mark>', row)
             for name, row in rows.items()}  # fmt: skip
    assert marks == {
        "ann": [("span-source", "&lt;b&gt;Acme&lt;/b&gt; &amp; Co"), ("span-cue", "said")],
        "bob": [("span-cue", "said")],
        "gold": [("span-source", "Officials at &lt;b&gt;Acme&lt;/b&gt;")],
    }
    assert "<b>Acme" not in page


def test_overlapping_spans_mark_both_and_spans_outside_the_sentence_mark_nothing():
    text = "He said so."
    given = {"attribution": {"source": {"start": 0, "end": 7}, "cue": {"start": 3, "end": 7}}}
    assert marked(given, Scheme(), text) == [
        ("He ", ["source"]),
        ("said", ["source", "cue"]),
        (" so.", []),
    ]
    outside = {"attribution": {"source": {"start": 5, "end": 99}, "cue": None}}
    assert marked(outside, Scheme(), text) is None
    assert shown({"start": 5, "end": 99}, text) == Span(5, 99, None)


def test_the_list_shows_the_gold_labels_in_dispute_and_who_settled_them(
    client, auth, make_user, tmp_path
):
    (sentences,) = import_texts(tmp_path, ["Three is here.", "Four is here.", "Five is here."])
    claims = {"ann": "claim", "bob": "claim", "cy": "not_claim"}  # a majority for "claim"
    for name, claim in claims.items():
        user = make_user(name)
        for sentence_id in sentences:
            db.session.add(Annotation(sentence_id=sentence_id, annotator_id=user.id,
                                      labels=labels(claim=claim)))  # fmt: skip
    rita = make_user("rita", role="reviewer")
    db.session.add_all([
        Gold(sentence_id=sentences[0], labels=labels(claim="checkworthy_claim"),
             method="reviewer", reviewer_id=rita.id),
        Gold(sentence_id=sentences[1], labels=labels(claim="claim"), method="majority"),
    ])  # fmt: skip
    db.session.commit()
    auth.login("reviewer")
    page = client.get("/review/disagreements").text
    cells = {
        text: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", gold)).strip()
        for text, gold in re.findall(
            r'<tr>\s*<td><a [^>]*>([^<]*)</a>.*?<td class="gold">(.*?)</td>\s*</tr>', page, re.S
        )
    }
    assert cells == {
        "Three is here.": "claim: checkworthy_claim by rita",
        "Four is here.": "claim: claim majority (flask adjudicate)",
        "Five is here.": "—",
    }


def test_the_review_view_shows_flags_comments_and_skips_escaped(client, auth, make_user, tmp_path):
    labelled(tmp_path, make_user)  # ann and bob labelled sentence 3
    ann, bob = (db.session.get(Annotation, id) for id in (3, 6))
    ann.flagged, ann.comment = True, "<i>unsure</i>: is this\na claim?"
    bob.comment = "Quoted from the ministry"
    for name, reason in (("cy", "Not English"), ("dan", None)):
        user = make_user(name)
        db.session.add(Annotation(sentence_id=3, annotator_id=user.id, labels={},
                                  skipped=True, comment=reason))  # fmt: skip
    db.session.commit()
    auth.login("reviewer")
    page = client.get("/review/sentences/3").text
    head = page.split('<table class="side-by-side">')[1].split("</thead>")[0]
    assert re.search(r"ann <span class=\"flag-mark\"[^>]*>⚑", head)
    assert "bob</th>" in head and "cy" not in head  # a skip has no labels to compare
    remarks = page.split('class="remarks"')[1].split("</section>")[0]
    lines = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)).strip()
             for line in re.findall(r"<li>(.*?)</li>", remarks, re.S)]  # fmt: skip
    assert lines == [
        "ann ⚑ flagged: &lt;i&gt;unsure&lt;/i&gt;: is this a claim?",
        "bob: Quoted from the ministry",
        "cy skipped: Not English",
        "dan skipped without a reason",
    ]
    assert "<i>unsure" not in page
    assert page.count("data-take=") == 2  # take ann's or bob's; nothing to take from a skip


def test_flagged_and_skipped_sentences_are_listed_for_reviewers(client, auth, make_user, tmp_path):
    (sentences,) = import_texts(tmp_path, [f"Sentence <{n}> is here." for n in range(53)])
    ann, bob = make_user("ann"), make_user("bob")
    for sentence_id in sentences[:51]:  # ann flags 51 sentences, bob labels them
        db.session.add_all([
            Annotation(sentence_id=sentence_id, annotator_id=ann.id, labels=labels(),
                       flagged=True, comment=f"<b>why</b> {sentence_id}?"),
            Annotation(sentence_id=sentence_id, annotator_id=bob.id, labels=labels()),
        ])  # fmt: skip
    db.session.add_all([
        Annotation(sentence_id=sentences[51], annotator_id=bob.id, labels={}, skipped=True,
                   comment="Not English"),
        Annotation(sentence_id=sentences[52], annotator_id=bob.id, labels={}, skipped=True),
    ])  # fmt: skip
    db.session.commit()
    auth.login("ana")
    assert client.get("/review/flagged").status_code == 403
    assert "/review/flagged" not in client.get("/annotate", follow_redirects=True).text
    auth.logout()
    auth.login("reviewer")

    def listed(query=""):
        page = client.get(f"/review/flagged{query}")
        assert page.status_code == 200
        rows = re.findall(r'<tr>\s*<td><a href="/review/sentences/(\d+)">([^<]*)</a>(.*?)</tr>',
                          page.text, re.S)  # fmt: skip
        return page.text, {int(s): (text, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", rest)))
                           for s, text, rest in rows}  # fmt: skip

    page, first = listed()
    assert 'href="/review/flagged">Flagged</a>' in page  # in the top navigation
    assert "<strong>53</strong> sentences flagged or skipped" in page
    assert list(first) == sentences[:50]  # in document order, 50 a page
    text, rest = first[sentences[0]]
    assert text == "Sentence &lt;0&gt; is here."
    assert f"ann ⚑ flagged: &lt;b&gt;why&lt;/b&gt; {sentences[0]}?" in rest
    assert "doc0 · sentence 1" in rest and "bob" not in rest  # bob only labelled it
    assert "<b>why" not in page
    page, second = listed("?page=2")
    assert list(second) == sentences[50:]
    assert "bob skipped: Not English" in second[sentences[51]][1]
    assert "bob skipped without a reason" in second[sentences[52]][1]
    assert 'href="/review/flagged?page=1">' in page
    page, flags = listed("?kind=flagged&page=2")
    assert list(flags) == [sentences[50]]
    assert 'href="/review/flagged?page=1&amp;kind=flagged"' in page
    _, skips = listed("?kind=skipped")
    assert list(skips) == sentences[51:]


def test_the_list_can_show_only_flagged_or_skipped_with_the_other_filters(
    client, auth, make_user, tmp_path
):
    first, (other,) = import_texts(tmp_path, ["One is here.", "Two is here.", "Three."], ["Four."])
    ann, bob, cy = make_user("ann"), make_user("bob"), make_user("cy")
    for sentence_id in [*first, other]:  # ann and bob disagree everywhere
        for user, claim in ((ann, "claim"), (bob, "not_claim")):
            db.session.add(Annotation(sentence_id=sentence_id, annotator_id=user.id,
                                      labels=labels(claim=claim)))  # fmt: skip
    db.session.get(Annotation, 1).flagged = True  # ann flags "One is here."
    db.session.get(Annotation, 8).flagged = True  # bob flags "Four."
    db.session.add(Annotation(sentence_id=first[1], annotator_id=cy.id, labels={},
                              skipped=True))  # fmt: skip
    db.session.commit()
    auth.login("reviewer")

    def listed(query):
        page = client.get(f"/review/disagreements?{query}").text
        return page, re.findall(r'<td><a href="/review/sentences/\d+[^"]*">([^<]*)</a>', page)

    page, found = listed("flagged=1")
    assert found == ["One is here.", "Two is here.", "Four."]
    assert re.search(r'<input type="checkbox" name="flagged" value="1" checked>', page)
    assert f'href="/review/sentences/{first[0]}?flagged=1"' in page  # the view keeps it
    assert listed("flagged=1&document=doc0")[1] == ["One is here.", "Two is here."]
    assert listed("flagged=1&annotator=cy")[1] == []  # cy skipped: no labels to differ
    assert listed("flagged=1&field=outlet")[1] == []
    page, found = listed("")
    assert found == ["One is here.", "Two is here.", "Three.", "Four."]
    assert page.count('class="flag-mark"') == 3  # marked in the unfiltered list
    assert not re.search(r'name="flagged" value="1" checked', page)
