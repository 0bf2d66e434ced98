"""The mypy plugin's implementation; the entry point is :mod:`typedsignals.mypy`.

``mypy.plugin`` is imported first: it loads mypy's modules in an order free of import
cycles, which importing ``mypy.maptype`` on its own (as ``_checks`` does) is not.
"""

import mypy.plugin  # noqa: F401
