"""Side-by-side benchmarks of typedsignals against blinker, psygnal and django.dispatch.

Run ``python -m benchmarks`` from the repository root (``--help`` for the options); the
docs' performance page (``docs/performance.md``) explains the workloads and targets.
"""
