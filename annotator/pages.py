"""Answers that are a whole page for a browser, or only its partial for htmx."""

from flask import current_app, render_template

from .extensions import htmx


def page_or_partial(page, partial, status=200, push=None, **context):
    """The full page, or for htmx only its partial (pushing ``push`` as the new URL); the
    answer varies with ``HX-Request``, so that caches keep the two apart."""
    response = current_app.make_response(
        (render_template(partial if htmx else page, **context), status)
    )
    response.vary.add("HX-Request")
    if htmx and push:
        response.headers["HX-Push-Url"] = push
    return response
