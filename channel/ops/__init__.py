"""The ops feature: health check, audit log, jobs, users (views.py); user accounts created and
reset on /users (accounts.py, routes on the same blueprint: imported here so that loading the
feature's views registers them)."""
from channel.ops import accounts  # noqa: F401
