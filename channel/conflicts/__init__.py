"""The conflicts feature."""
