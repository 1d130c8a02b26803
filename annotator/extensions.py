"""Flask extensions, created unbound here and initialised in ``create_app``."""

from flask_htmx import HTMX
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from .database import Base

# A request's objects stay usable after its short write transaction commits, without a
# SELECT each to reload them (the user, the sentence, its document).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True)
csrf = CSRFProtect()
login = LoginManager()
htmx = HTMX()
