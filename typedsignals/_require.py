"""One clear ImportError when an optional dependency is missing: the Flask layer, the
docs adapters, Celery, OpenTelemetry and the metrics exporters all raise it."""

from __future__ import annotations

__all__ = ["missing_extra"]


def missing_extra(
    exc: ModuleNotFoundError,
    module: str | tuple[str, ...],
    *,
    extra: str,
    needed_by: str,
    project: str,
) -> ModuleNotFoundError:
    """Turn "no module named X" into an error that says which extra installs X.

    Use as ``raise missing_extra(exc, ...) from None`` in an ``except
    ModuleNotFoundError`` around the imports of an optional dependency. Only a missing
    ``module`` itself is translated: when ``module`` is installed but one of *its*
    dependencies is missing, ``exc`` is re-raised unchanged so the real cause stays
    visible.

    Args:
        exc: The error raised by the import.
        module: The top-level module that was imported, e.g. ``"flask_login"``, or
            several (``("sphinx", "docutils")``) when the dependency brings more than one.
        extra: The typedsignals extra that installs it, e.g. ``"flask-login"``.
        needed_by: The typedsignals module that needs it, for the message.
        project: The distribution name users know, e.g. ``"Flask-Login"``.

    Example:
        >>> try:
        ...     import flask_nonexistent_extension
        ... except ModuleNotFoundError as exc:
        ...     print(missing_extra(exc, "flask_nonexistent_extension", extra="demo",
        ...                         needed_by="typedsignals.flask.demo", project="Demo"))
        typedsignals.flask.demo needs Demo, which is not installed; install it with: pip install "typedsignals[demo]"
    """  # noqa: E501
    modules = (module,) if isinstance(module, str) else module
    if (exc.name or "").partition(".")[0] not in modules:
        raise exc
    return ModuleNotFoundError(
        f"{needed_by} needs {project}, which is not installed; "
        f'install it with: pip install "typedsignals[{extra}]"',
        name=modules[0],
    )
