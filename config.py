"""Configuration read from the environment.

`Config` is the default (development, SQLite under instance/); `TestConfig` is used by the
suite; `ProductionConfig` refuses to start with the default secret key.
"""
from __future__ import annotations

import os
from datetime import timedelta
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

    # Security (docs/security.md). A session ends after this much idle time (refreshed on each request).
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=int(os.environ.get("QUDAO_SESSION_MINUTES", "480")))
    LOGIN_MAX_FAILURES = int(os.environ.get("QUDAO_LOGIN_MAX_FAILURES", "5"))  # per user name, then locked
    LOGIN_LOCKOUT_MINUTES = int(os.environ.get("QUDAO_LOGIN_LOCKOUT_MINUTES", "15"))
    LOGIN_IP_MAX_FAILURES = int(os.environ.get("QUDAO_LOGIN_IP_MAX_FAILURES", "30"))  # per address, then 429
    PASSWORD_MIN_LENGTH = int(os.environ.get("QUDAO_PASSWORD_MIN_LENGTH", "10"))
    PROXY_COUNT = int(os.environ.get("QUDAO_PROXY_COUNT", "0"))  # reverse proxies in front (X-Forwarded-*)
    HSTS_SECONDS = 0  # no Strict-Transport-Security outside production
    LOG_JSON = os.environ.get("QUDAO_LOG_JSON", "") == "1"

    # Background jobs (docs/jobs.md): RQ on Redis when REDIS_URL is set, else in-process.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    JOBS_QUEUE = os.environ.get("QUDAO_JOBS_QUEUE", "qudao")
    JOBS_INLINE = os.environ.get("QUDAO_JOBS_INLINE", "thread")  # thread | sync (without Redis)
    EXPORT_DIR = os.environ.get("QUDAO_EXPORT_DIR") or str(BASE_DIR / "instance" / "exports")
    # uploaded import files wait here for their job (with RQ: a folder the workers see too)
    UPLOAD_DIR = os.environ.get("QUDAO_UPLOAD_DIR") or str(BASE_DIR / "instance" / "uploads")
    # Request size (channel/request_limits.py): larger answers 413. Every request but the import
    # upload: forms, JSON pushes, the plan and bank files. The import upload: a CSV of a million
    # order lines is ~70-100 MB (an XLSX holds at most 1,048,576 rows, compressed).
    MAX_CONTENT_LENGTH = int(os.environ.get("QUDAO_MAX_REQUEST_MB", "32")) * 1024 * 1024
    MAX_IMPORT_UPLOAD_LENGTH = int(os.environ.get("QUDAO_MAX_IMPORT_MB", "256")) * 1024 * 1024


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SERVER_NAME = None
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast fixtures; production uses scrypt
    REDIS_URL = None  # tests that want RQ say so
    JOBS_INLINE = "sync"
    # the test world registers customers on fixed 2026 dates: keep them registrable in later
    # years (the tests of the bound set it to the default, 365)
    CONFLICT_REGISTRATION_MAX_AGE_DAYS = 36500
    SELLING_ACTIVITY_MAX_AGE_DAYS = 36500  # likewise activities (the bound's test sets 366)


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = int(os.environ.get("QUDAO_HSTS_SECONDS", str(365 * 24 * 3600)))
    LOG_JSON = os.environ.get("QUDAO_LOG_JSON", "1") == "1"
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        """Raise RuntimeError when the configuration is unsafe for production."""
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEFAULT_SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set to a private value in production")
        if not os.environ.get("DATABASE_URL"):
            # no silent fallback to a file under instance/: say where the data lives
            raise RuntimeError("DATABASE_URL must be set in production (postgresql+psycopg://... or sqlite:////path)")


CONFIGS = {"development": Config, "production": ProductionConfig, "testing": TestConfig}
