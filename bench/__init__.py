"""Benchmark modules for tools/bench.py (one per feature)."""
