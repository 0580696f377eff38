"""The selling feature."""
