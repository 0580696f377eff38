"""Configuration read from the environment.

`Config` is the default (development, SQLite under instance/); `TestConfig` is used by the
suite; `ProductionConfig` refuses to start with the default secret key.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET_KEY = "dev-not-secret-change-me"


def _default_sqlite_url() -> str:
    instance = BASE_DIR / "instance"
    instance.mkdir(exist_ok=True)
    return f"sqlite:///{instance / 'qudao.sqlite3'}"


def _levels(env_name: str, default: str) -> tuple[str, ...]:
    raw = os.environ.get(env_name, default)
    return tuple(part.strip() for part in raw.split(",") if part.strip())


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_sqlite_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Agent pyramid levels, top first. The number of levels is configuration, not code.
    AGENT_LEVELS = _levels("QUDAO_AGENT_LEVELS", "总代理,省代,市代,分销商")
    # Direct team levels, top first.
    DIRECT_LEVELS = _levels("QUDAO_DIRECT_LEVELS", "销售总监,销售经理,销售代表")

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    BOOTSTRAP_SERVE_LOCAL = True

    PAGE_SIZE = 50
    TESTING = False


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SERVER_NAME = None
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast fixtures; production uses scrypt


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        """Raise RuntimeError when the configuration is unsafe for production."""
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEFAULT_SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set to a private value in production")


CONFIGS = {"development": Config, "production": ProductionConfig, "testing": TestConfig}
