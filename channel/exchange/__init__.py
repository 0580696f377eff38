"""The exchange feature."""
