"""The payouts feature."""
