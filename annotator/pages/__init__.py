"""The pages: blueprints, forms, error pages, security headers, login sessions and limits.

``page_or_partial``: answers that are a whole page for a browser, or only its partial for htmx."""

from flask import current_app, render_template

from ..extensions import htmx


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


def init_app(app):
    """Hook up what every page shares: error pages, the label form's template helpers,
    security headers and the health check, login sessions and limits, Server-Timing."""
    from . import errors, forms, security, sessions, throttling, timing

    for module in (errors, forms, security, sessions, throttling, timing):
        module.init_app(app)
