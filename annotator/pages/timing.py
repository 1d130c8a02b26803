"""``Server-Timing`` on every response but the login's: how long the app took, for developer tools,
load balancers and the benchmarks."""

import time

from flask import g, request


def start_clock():
    """Note when the request reached the app."""
    g.request_started = time.perf_counter()


def add_server_timing(response):
    """Report the app's time in milliseconds."""
    started = g.get("request_started")
    if started is not None and request.endpoint != "auth.login_page":  # says if a name exists
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


def init_app(app):
    """Time every request."""
    app.before_request(start_clock)
    app.after_request(add_server_timing)
