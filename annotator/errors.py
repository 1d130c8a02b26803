"""Friendly error pages."""

from flask import render_template

MESSAGES = {
    403: ("Not allowed", "Your account's role does not give access to this page."),
    404: ("Not found", "There is nothing here for you at this address."),
    413: (
        "Too large",
        "That request was too large (over 2 MB, or too many fields). Nothing was saved; "
        "shorten the comment and try again.",
    ),
    429: ("Too many attempts", "Too many failed attempts. Wait a few minutes, then try again."),
}


def error_page(error):
    """A page that says what happened and where to go instead."""
    heading, message = MESSAGES[error.code]
    return render_template("errors/error.html", heading=heading, message=message), error.code


def init_app(app):
    """Register the error handlers."""
    for code in MESSAGES:
        app.register_error_handler(code, error_page)
