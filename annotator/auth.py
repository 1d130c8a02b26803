"""Logging in and out, and the role checks every view declares."""

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import (
    UserMixin,
    current_user,
    login_required,
    login_url,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from sqlalchemy import bindparam, select, true
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from .errors import logged_out
from .extensions import db, limiter, login, writing
from .models import User, utcnow

bp = Blueprint("auth", __name__)
login.login_view = "auth.login_page"
login.login_message = "Please log in to see that page."
FAILED = "Wrong name or password."


class LoginForm(FlaskForm):
    """Name and password."""

    name = StringField("Name", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


class SignedIn(UserMixin):
    """The user of a request, read as a plain row: views only look at ``id``, ``name`` and
    ``role`` (an ORM object costs several times more to load, on every request)."""

    def __init__(self, row):
        self.id, self.name, self.role, self.session_token = row

    def get_id(self):
        """The same session identity as ``User.get_id``."""
        return f"{self.id}:{self.session_token}"


USERS = User.__table__
ACTIVE_SESSION = select(USERS.c.id, USERS.c.name, USERS.c.role, USERS.c.session_token).where(
    USERS.c.id == bindparam("user_id"),
    USERS.c.session_token == bindparam("token"),
    USERS.c.active == true(),
)


@login.user_loader
def load_user(session_id):
    """The user of a session, or None once the account is deactivated or its token renewed."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    row = db.session.execute(ACTIVE_SESSION, {"user_id": int(user_id), "token": token}).first()
    return SignedIn(row) if row else None


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


def failed_login(response):
    """Count an attempt against the limits only when it failed (the form came back)."""
    return request.method == "POST" and response.status_code == 200


def login_name_key():
    """Rate-limit key for the account being tried."""
    return "login-name:" + (request.form.get("name") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per 10 minutes", methods=["POST"], deduct_when=failed_login)
@limiter.limit(
    "5 per 10 minutes", key_func=login_name_key, methods=["POST"], deduct_when=failed_login
)
def login_page():
    """Show the login form; on success start a fresh session and go where the user wanted."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.name == form.name.data.strip()))
        if user is None or not user.active or not user.check_password(form.password.data):
            form.password.errors.append(FAILED)
        else:
            wanted = request.args.get("next")
            session.clear()  # nothing from before the login survives into the new session
            login_user(user)
            with writing():  # SQLite: take the write lock first, do not upgrade a read
                user.last_seen = utcnow()
            return redirect(safe_next(wanted, user))
    return render_template("login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the session."""
    logout_user()
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login_page"))


@bp.get("/")
@login_required
def home():
    """Send each user to where their work is."""
    return redirect(home_for(current_user))
