"""Logging in and out."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from .extensions import db, login
from .models import User, utcnow

bp = Blueprint("auth", __name__)
login.login_view = "auth.login_page"
login.login_message = "Please log in to see that page."


class LoginForm(FlaskForm):
    """Name and password."""

    name = StringField("Name", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


@login.user_loader
def load_user(user_id):
    """The logged-in user, or None for a deleted account."""
    return db.session.get(User, int(user_id))


def safe_next(target):
    """``target`` if it is a path on this site, else the home page."""
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("documents.index")
    if target.startswith("//") or "\\" in target:
        return url_for("documents.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login_page():
    """Show the login form; on success go back to the page that was asked for."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.name == form.name.data.strip()))
        if user is None or not user.check_password(form.password.data) or not user.active:
            form.password.errors.append("Wrong name or password.")
        else:
            login_user(user)
            user.last_seen = utcnow()
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
    return render_template("login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the session."""
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("auth.login_page"))
