"""Every form and htmx POST the pages render, submitted as rendered, is accepted."""

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from annotator.assignment import next_sentence
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import Document
from tests.helpers import label_values, rendered_forms

# posted by annotate.js, not by a rendered form: tests/test_saving.py posts them as it does
SCRIPT_POSTS = {"annotate.ahead", "annotate.release_held"}
FIELD_ERROR = re.compile(r'class="error( banner)?" role="alert">\s*[^<\s]')
TYPED = {"name": None, "password": "secret-pass"}  # what a person types into the login form
NOTE = "Look at the source span again."  # what a reviewer types where a note is required


def disputed_sentence(make_user):
    """ana and ben label the first sentence differently; its id."""
    ana, ben = make_user("ana"), make_user("ben")
    first = next_sentence(ana.id)
    save(ana.id, first, label_values(claim="claim"))
    assert next_sentence(ben.id) == first
    save(ben.id, first, label_values(claim="not_claim"))
    return first


def log_in(client, name):
    """Log in through the login form as rendered, typing name and password."""
    page = client.get("/login")
    forms, _ = rendered_forms("/login", page.text)
    form = next(form for form in forms if form["action"] == "/login")
    fields = [(key, {**TYPED, "name": name}.get(key, value)) for key, value in form["fields"]]
    response = client.post(form["action"], data=dict(fields), as_given=True)
    assert response.status_code == 302, response.text
    return form


def submit(client, page_url, number):
    """Open the page afresh, then submit its ``number``-th form as a browser would: the
    rendered values, the first choice of a radio group left empty (what key 1 does), and
    for htmx the page's ``hx-headers``; returns (form, response)."""
    page = client.get(page_url, follow_redirects=True)
    assert page.status_code == 200, page_url
    forms, hx_headers = rendered_forms(page.request.path, page.text)
    form = forms[number]
    fields = dict(form["fields"])
    for name, values in form["radios"].items():
        fields.setdefault(name, values[0])
    if "note" in fields and not fields["note"].strip():
        fields["note"] = NOTE
    headers = {"HX-Request": "true", **hx_headers} if form["htmx"] else {}
    return form, client.post(form["action"], data=fields, headers=headers, as_given=True)


def test_every_rendered_form_is_accepted(app, client, seeds, make_user):
    disputed = disputed_sentence(make_user)
    make_user("rita", role="reviewer")
    make_user("adam", role="admin")
    document_id = db.session.scalars(select(Document.id).order_by(Document.seq)).first()
    pages = {
        "ana": ["/annotate", "/annotate/history", "/annotate/guidelines"],
        "rita": [
            "/documents",
            "/review/agreement",
            "/review/disagreements",
            f"/review/sentences/{disputed}",
            "/review/flagged",
            "/annotate",
        ],
        "adam": [f"/documents/{document_id}"],  # and its targets form
    }
    adapter = app.url_map.bind("localhost")
    posted = {adapter.match(log_in(client, "ana")["action"], method="POST")[0]}
    for name, urls in pages.items():
        log_in(client, name)
        for url in urls:
            count = len(rendered_forms(url, client.get(url, follow_redirects=True).text)[0])
            for number in range(count):
                form, response = submit(client, url, number)
                where = f"{name} on {url}: form {number} to {form['action']}"
                assert response.status_code in (200, 302), (where, response.text[:500])
                assert not FIELD_ERROR.search(response.text), (where, response.text)
                posted.add(adapter.match(urlsplit(form["action"]).path, method="POST")[0])
                if form["action"] == "/logout":
                    log_in(client, name)
    every_post = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert every_post - SCRIPT_POSTS <= posted, f"no rendered form posts to {every_post - posted}"
