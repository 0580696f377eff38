"""The commissions feature."""
