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
    register_url_converters(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errorhandlers(app)
    register_security(app)
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


# One package per feature under channel/; each has views.py (a Blueprint `bp`, and `NAV`, the
# entries it adds to the top bar) and may have cli.py (`register(app)`).
FEATURES = ("auth", "dashboard", "tree", "sales", "commissions", "conflicts", "payouts", "exchange", "selling", "ops")


def register_url_converters(app: Flask) -> None:
    """`<int:...>` in every route takes ids an id column can hold: a larger number in a URL is a
    404 like any unknown id (unbounded, SQLite raised OverflowError and PostgreSQL "integer out of
    range": a 500)."""
    from werkzeug.routing import IntegerConverter

    from channel.domain.paging import MAX_ID

    class IdConverter(IntegerConverter):
        def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
            super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    app.url_map.converters["int"] = IdConverter


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    nav = []
    for feature in FEATURES:
        views = import_module(f"channel.{feature}.views")
        app.register_blueprint(views.bp)
        nav.extend(getattr(views, "NAV", []))
    app.config["NAV"] = nav


def register_template_helpers(app: Flask) -> None:
    from channel.web import register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    from channel import request_limits
    from channel.errors import register

    register(app)
    request_limits.register(app)  # request size limits and their 413


def register_security(app: Flask) -> None:
    """Security headers, JSON logs, and the client address behind a proxy (docs/security.md)."""
    from channel.ops.logs import configure
    from channel.services.security_headers import register

    register(app)
    configure(app)
    proxies = app.config.get("PROXY_COUNT", 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_commands(app: Flask) -> None:
    from importlib import import_module
    from importlib.util import find_spec

    from channel.cli import register

    register(app)
    for feature in FEATURES:
        if find_spec(f"channel.{feature}.cli") is not None:
            import_module(f"channel.{feature}.cli").register(app)
