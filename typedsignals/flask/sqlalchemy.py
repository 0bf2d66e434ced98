"""Typed declarations of Flask-SQLAlchemy's signals.

Needs Flask-SQLAlchemy 3.1 or later: ``pip install "typedsignals[flask-sqlalchemy]"``.
Flask-SQLAlchemy sends them only when ``SQLALCHEMY_TRACK_MODIFICATIONS`` is on.

Example::

    from flask import Flask
    from typedsignals.flask.sqlalchemy import ModelsCommitted, models_committed

    @models_committed.connect
    def invalidate_cache(sender: Flask, payload: ModelsCommitted) -> None:
        for change in payload.changes:
            print(change.operation, change.instance)
"""

from __future__ import annotations

from typing import Final, Literal, NamedTuple

from .._require import missing_extra
from ._bridge import CatalogPayload, bridge

try:
    from flask_sqlalchemy.track_modifications import (
        before_models_committed as _raw_before_models_committed,
    )
    from flask_sqlalchemy.track_modifications import (
        models_committed as _raw_models_committed,
    )
except ModuleNotFoundError as _exc:
    raise missing_extra(
        _exc,
        "flask_sqlalchemy",
        extra="flask-sqlalchemy",
        needed_by=__name__,
        project="Flask-SQLAlchemy",
    ) from None

__all__ = [
    "BeforeModelsCommitted",
    "ModelChange",
    "ModelsCommitted",
    "Operation",
    "before_models_committed",
    "models_committed",
]

_PREFIX: Final = "flask-sqlalchemy."

Operation = Literal["insert", "update", "delete"]
"""What happened to a model instance in the session."""


class ModelChange(NamedTuple):
    """One ``(instance, operation)`` pair, as Flask-SQLAlchemy records it.

    A tuple, so ``instance, operation = change`` works as with the raw signal; the
    names read better: ``change.instance``, ``change.operation``.
    """

    instance: object
    """The mapped instance (any mapped class, not only ``db.Model`` subclasses)."""
    operation: Operation
    """``"insert"``, ``"update"`` or ``"delete"``."""


class ModelsCommitted(CatalogPayload):
    """Payload of :data:`models_committed`."""

    changes: list[ModelChange]
    """Every instance inserted, updated or deleted by the commit, with the operation."""


class BeforeModelsCommitted(CatalogPayload):
    """Payload of :data:`before_models_committed`."""

    changes: list[ModelChange]
    """Every instance the commit is about to insert, update or delete, with the
    operation."""


models_committed = bridge(
    _raw_models_committed,
    ModelsCommitted,
    "Sent after a session commit that changed models, with the changes.",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_sqlalchemy.track_modifications.models_committed``."""

before_models_committed = bridge(
    _raw_before_models_committed,
    BeforeModelsCommitted,
    "Sent before a session commit that changes models, with the pending changes.",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_sqlalchemy.track_modifications.before_models_committed``."""
