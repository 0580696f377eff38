"""Use cases: load, call the domain, persist, commit once."""
