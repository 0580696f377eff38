"""Qudao features: one package per feature (views + forms) over `domain` and `services`."""
