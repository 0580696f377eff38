"""The Qudao application factory. Read it as a table of contents."""
from __future__ import annotations

import os

from flask import Flask

from config import CONFIGS, Config


def create_app(config_class: type[Config] | None = None, **overrides) -> Flask:
    """Build the app. `config_class` defaults to QUDAO_ENV (development|production|testing)."""
    if config_class is None:
        config_class = CONFIGS[os.environ.get("QUDAO_ENV", "development")]
    if hasattr(config_class, "check"):
        config_class.check()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_class)
    app.config.update(overrides)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from channel.auth.session import load_user
    from channel.i18n import select_locale
    from extensions import babel, bootstrap, csrf, login_manager, migrate
    from models import db

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    from channel.auth.views import bp as auth_bp
    from channel.dashboard.views import bp as dashboard_bp
    from channel.sales.views import bp as sales_bp
    from channel.tree.views import bp as tree_bp

    for bp in (auth_bp, dashboard_bp, tree_bp, sales_bp):
        app.register_blueprint(bp)


def register_template_helpers(app: Flask) -> None:
    from channel.web import register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    from channel.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from channel.cli import register

    register(app)
