"""Runnable example applications (run them from the repository root with ``python -m``)."""
