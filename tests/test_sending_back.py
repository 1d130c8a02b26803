"""A reviewer sends a disputed sentence back to its annotators, or to a new one, with a note;
and the review queue's orders."""

import re

from sqlalchemy import func, select

from annotator import disagreements
from annotator.assignment import next_sentence
from annotator.disagreements import ORDERS
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import SendBack, Sentence
from tests.helpers import import_texts, label_values

NOTE = "Is the minister the source, or the ministry?"


def disputed(tmp_path, auth):
    """ann and bob label the first sentence differently and agree on the second; ids."""
    (sentences,) = import_texts(tmp_path, ["One is here.", "Two is here.", "Three is here."])
    ann, bob = auth.login("ann"), auth.login("bob")
    auth.logout()
    for user, claim in ((ann, "claim"), (bob, "not_claim")):
        assert next_sentence(user.id) == sentences[0]
        save(user.id, sentences[0], label_values(claim=claim))
        assert next_sentence(user.id) == sentences[1]
        save(user.id, sentences[1], label_values(claim="claim"))
    return sentences, ann, bob


def send(client, sentence_id, **fields):
    """Post the send-back form as the review page renders it, with ``fields`` changed."""
    page = client.get(f"/review/sentences/{sentence_id}").text
    ticked = re.findall(
        r'name="annotators"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="annotators"', page
    )
    data = {"annotators": [a or b for a, b in ticked], "newcomer": "", "note": NOTE, **fields}
    return client.post(f"/review/sentences/{sentence_id}/send-back", data=data)


def test_its_annotators_get_it_first_with_the_note_until_they_save(client, auth, tmp_path):
    sentences, ann, bob = disputed(tmp_path, auth)
    auth.login("rita", role="reviewer")
    sent = send(client, sentences[0])
    assert sent.status_code == 302
    listed = client.get("/review/disagreements").text
    assert "sent back to ann, bob" in listed
    assert "Sent back, waiting for ann, bob" in client.get(f"/review/sentences/{sentences[0]}").text
    auth.logout()
    auth.login("ann")
    page = client.get("/annotate", follow_redirects=True)
    assert page.request.path == f"/annotate/{sentences[0]}"
    assert "A reviewer sent this sentence back to you:" in page.text
    assert "Is the minister the source, or the ministry?" in page.text
    save(ann.id, sentences[0], label_values(claim="not_claim"))
    assert next_sentence(ann.id) == sentences[2]  # answered: back to new work
    page = client.get(f"/annotate/{sentences[0]}").text
    assert "sent this sentence back" not in page
    # ann now agrees with bob: the sentence is no longer disputed
    auth.logout()
    auth.login("rita", role="reviewer")
    assert "sent back to" not in client.get("/review/disagreements").text
    # bob's send-back is still open: he gets it first
    assert next_sentence(bob.id) == sentences[0]


def test_a_new_annotator_gets_a_full_sentence_as_an_extra_label(app, client, auth, tmp_path):
    sentences, _, _ = disputed(tmp_path, auth)
    cyd = auth.login("cyd")
    auth.logout()
    auth.login("rita", role="reviewer")
    page = client.get(f"/review/sentences/{sentences[0]}").text
    assert re.search(rf'<option value="{cyd.id}">cyd</option>', page)
    assert send(client, sentences[0], annotators=[], newcomer=str(cyd.id)).status_code == 302
    assert next_sentence(cyd.id) == sentences[0]  # full (OVERLAP 2), but sent to cyd
    save(cyd.id, sentences[0], label_values(claim="claim"))
    assert db.session.get(Sentence, sentences[0]).taken == 3
    assert next_sentence(cyd.id) == sentences[2]


def test_a_send_back_without_a_note_or_anyone_stores_nothing(client, auth, tmp_path):
    sentences, _, _ = disputed(tmp_path, auth)
    auth.login("rita", role="reviewer")
    refused = send(client, sentences[0], note="  ")
    assert refused.status_code == 422
    assert "Write what the annotators should look at again" in refused.text
    assert '<details class="send-back" open>' in refused.text
    nobody = send(client, sentences[0], annotators=[])
    assert nobody.status_code == 422
    assert "Choose at least one annotator" in nobody.text
    assert NOTE in nobody.text  # what the reviewer typed is still there
    assert db.session.scalar(select(func.count()).select_from(SendBack)) == 0


def test_only_reviewers_send_back_and_only_with_the_page_s_token(client, auth, tmp_path):
    sentences, _, _ = disputed(tmp_path, auth)
    auth.login("ann")
    assert send(client, sentences[0]).status_code == 403
    auth.logout()
    auth.login("rita", role="reviewer")
    forged = client.post(
        f"/review/sentences/{sentences[0]}/send-back",
        data={"annotators": ["1"], "note": NOTE},
        as_given=True,
    )
    assert forged.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(SendBack)) == 0


def test_the_queue_orders(app, client, auth, tmp_path):
    app.config["OVERLAP"] = 3
    (sentences,) = import_texts(tmp_path, [f"Sentence {n} is here." for n in range(4)])
    users = [auth.login(name) for name in ("ann", "bob", "cyd")]
    auth.logout()
    # 0: cyd alone differs on the claim (2 of 3 pairs agree on it); 1: two fields differ;
    # 2: ann and cyd differ on the claim (their one pair disagrees); 3: all agree
    plans = {
        "ann": [{"claim": "claim"}, None, {"claim": "claim"}, {}],
        "bob": [{"claim": "claim"}, {"claim": "claim"}, None, {}],
        "cyd": [{"claim": "not_claim"}, {"claim": "not_claim", "source_type": "person"},
                {"claim": "not_claim"}, None],
    }  # fmt: skip
    for user in users:
        for sentence_id, given in zip(sentences, plans[user.name], strict=True):
            if given is not None:
                save(user.id, sentence_id, label_values(**given), handed=True)
    auth.login("rita", role="reviewer")

    def listed(order):
        page = client.get("/review/disagreements", query_string={"order": order}).text
        return [int(n) for n in re.findall(r'href="/review/sentences/(\d+)', page)]

    first, second, third, _ = sentences
    assert listed("disputed") == [second, first, third]  # most fields, then document order
    assert listed("agreement") == [second, third, first]
    assert listed("annotators") == [first, third, second]  # "ann, bob, cyd" < "ann, cyd" < …
    assert listed("document") == [first, second, third]
    assert set(ORDERS) == {"disputed", "agreement", "annotators", "document"}
    # the next disagreement follows the chosen order, and the order is carried along
    page = client.get(f"/review/sentences/{third}", query_string={"order": "agreement"}).text
    assert f'href="/review/sentences/{first}?order=agreement"' in page


def test_a_long_list_is_counted_up_to_a_limit(client, auth, tmp_path, monkeypatch):
    sentences, _, _ = disputed(tmp_path, auth)
    auth.login("rita", role="reviewer")
    page = client.get("/review/disagreements").text
    assert "<strong>1</strong> sentences where annotators disagree · 0 settled" in page
    monkeypatch.setattr(disagreements, "COUNT_UP_TO", 0)
    page = client.get("/review/disagreements").text
    assert "More than <strong>0</strong> sentences where annotators disagree" in page
    assert f'href="/review/sentences/{sentences[0]}' in page  # the list itself is whole
