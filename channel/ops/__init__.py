"""The ops feature."""
