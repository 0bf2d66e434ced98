"""The mypy plugin's implementation; the entry point is :mod:`typedsignals.mypy`."""
