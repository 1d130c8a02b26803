"""Logging in and out, and the role checks every view declares."""

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import (
    current_user,
    login_required,
    login_url,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from ..database import writing
from ..extensions import db, login
from ..models import User, password_matches, utcnow
from . import sessions
from .errors import logged_out
from .throttling import count_login_attempt, forgive_login_attempt

bp = Blueprint("auth", __name__)
login.login_view = "auth.login_page"
login.login_message = "Please log in to see that page."
FAILED = "Wrong name or password."


class LoginForm(FlaskForm):
    """Name and password."""

    name = StringField("Name", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


@login.user_loader
def load_user(key):
    """The user of a live session (``sessions.find``), or None."""
    return sessions.find(key)


@login.unauthorized_handler
def not_logged_in():
    """A page that needs a login: htmx learns it was logged out (its page keeps what was
    typed and asks for the password), a browser goes to the login page and back."""
    answer = logged_out()
    if answer is not None:
        return answer
    flash(login.login_message)
    return redirect(login_url(login.login_view, next_url=request.url))


def roles_required(*roles):
    """Let only logged-in users with one of ``roles`` through; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.roles = roles
        return wrapped

    return decorator


def home_for(user):
    """Where a user starts: annotators at their next sentence, others at the documents."""
    return url_for("annotate.next_sentence_page" if user.role == "annotator" else "documents.index")


def safe_next(target, user):
    """``target`` if it is a path on this site, else the user's home page."""
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return home_for(user)
    if target.startswith("//") or "\\" in target:
        return home_for(user)
    return target


@bp.route("/login", methods=["GET", "POST"])
def login_page():
    """Show the login form; on success start a fresh session and go where the user wanted.

    Every attempt is counted against the login limits before the password is checked, and
    every failure costs the same time (an unknown name too), so neither concurrency nor
    timing tells an attacker more than the message does.
    """
    form = LoginForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        count_login_attempt(name)
        user = db.session.scalar(select(User).where(User.name == name))
        checked = user.password_hash if user else None
        signed_in = None
        if password_matches(checked, form.password.data) and user.active:
            before = current_user.get_id() if current_user.is_authenticated else None
            with writing():  # SQLite: take the write lock first, do not upgrade a read
                signed_in = sessions.start(user, checked, replacing=before)
                if signed_in:
                    user.last_seen = utcnow()
        if signed_in is None:
            form.password.errors.append(FAILED)
        else:
            forgive_login_attempt(name)
            wanted = request.args.get("next")
            session.clear()  # nothing from before the login survives into the new session
            login_user(signed_in)
            return redirect(safe_next(wanted, user))
    return render_template("login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End this session (on the server too: its cookie is worthless from now on)."""
    with writing():
        sessions.end(current_user.get_id())
    logout_user()
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login_page"))


@bp.get("/")
@login_required
def home():
    """Send each user to where their work is."""
    return redirect(home_for(current_user))
