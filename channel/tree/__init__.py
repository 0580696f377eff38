"""The tree feature: the pyramid, the direct team and seller pages (views.py), onboarding of new
sellers and their details (onboarding.py, routes on the same blueprint: imported here so that
loading the feature's views registers them)."""
from channel.tree import onboarding  # noqa: F401
