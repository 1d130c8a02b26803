"""Logging in and out, and the role checks every view declares."""

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from .extensions import db, limiter, login
from .models import User, utcnow

bp = Blueprint("auth", __name__)
login.login_view = "auth.login_page"
login.login_message = "Please log in to see that page."
FAILED = "Wrong name or password."


class LoginForm(FlaskForm):
    """Name and password."""

    name = StringField("Name", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


@login.user_loader
def load_user(session_id):
    """The user of a session, or None once the account is deactivated or its token renewed."""
    user_id, _, token = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or user.session_token != token:
        return None
    return user


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
            user.last_seen = utcnow()
            db.session.commit()
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
