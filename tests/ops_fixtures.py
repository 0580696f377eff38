"""Extra data for the ops tests: a product-manager user (the world has none) and a job per user."""
from __future__ import annotations

from channel.services.users import create_user
from models import db
from models.ops import JOB_DONE, Job


def add_product_manager():
    return create_user("pm", "secret-pass", "product_manager")


def add_job(user, kind: str = "orders.export", status: str = JOB_DONE) -> Job:
    job = Job(kind=kind, params={}, status=status, backend="inline", created_by_id=user.id, attempts=1, result={"rows": 0})
    db.session.add(job)
    db.session.commit()
    return job


def sqlite_app(template, directory):
    """An app over a fresh copy of the migrated SQLite template (for tests about SQLite only)."""
    import shutil

    from app import create_app
    from config import TestConfig
    from tests.conftest import IsolatedClient

    path = directory / "sqlite-only.sqlite3"
    shutil.copyfile(template, path)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    app.config["BACKEND"] = "sqlite"
    app.test_client_class = IsolatedClient
    return app
