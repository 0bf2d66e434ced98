"""Reliability suite: concurrency, re-entrancy, memory, shutdown, hostile input, failures."""
