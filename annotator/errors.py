"""Friendly error pages."""

from flask import render_template


def not_found(_error):
    """A page that says what happened and where to go instead."""
    return render_template("errors/404.html"), 404


def init_app(app):
    """Register the error handlers."""
    app.register_error_handler(404, not_found)
