"""Shared configuration of the core test suite."""

from __future__ import annotations

pytest_plugins = ["pytester"]  # tests/test_testing.py runs the pytest plugin in a sandbox
