"""The modules in cases/ are type-checked by test_plugin.py, never imported or run."""

collect_ignore = ["cases", "golden.py"]
