"""Typed declarations of Flask-Principal's signals.

Needs Flask-Principal: ``pip install "typedsignals[flask-principal]"``.

Example::

    from flask import Flask
    from flask_principal import RoleNeed
    from typedsignals.flask.principal import IdentityLoaded, identity_loaded

    @identity_loaded.connect
    def add_roles(sender: Flask, payload: IdentityLoaded) -> None:
        payload.identity.provides.add(RoleNeed("member"))

The identity is the very object Flask-Principal keeps on ``g.identity``, so needs added
to ``provides`` by a receiver take effect, as with a raw receiver.
"""

from __future__ import annotations

from typing import Annotated, Final

from .._require import missing_extra
from ._bridge import CatalogPayload, bridge, opaque

try:
    import flask_principal as _raw  # type: ignore[import-untyped]  # no py.typed
    from flask_principal import Identity
except ModuleNotFoundError as _exc:
    raise missing_extra(
        _exc,
        "flask_principal",
        extra="flask-principal",
        needed_by=__name__,
        project="Flask-Principal",
    ) from None

__all__ = ["IdentityChanged", "IdentityLoaded", "identity_changed", "identity_loaded"]

_PREFIX: Final = "flask-principal."

PrincipalIdentity = Annotated[
    Identity, opaque("flask_principal.Identity", "The identity (id, auth_type, provides).")
]
"""A ``flask_principal.Identity`` (or ``AnonymousIdentity``), checked with ``isinstance``."""


class IdentityChanged(CatalogPayload):
    """Payload of :data:`identity_changed`."""

    identity: PrincipalIdentity
    """The new identity, e.g. ``Identity(user.id)`` after a login or
    ``AnonymousIdentity()`` after a logout."""


class IdentityLoaded(CatalogPayload):
    """Payload of :data:`identity_loaded`."""

    identity: PrincipalIdentity
    """The identity just set on ``g.identity``; add needs to ``identity.provides``."""


identity_changed = bridge(
    _raw.identity_changed,
    IdentityChanged,
    "Sent by the application when the user's identity changes (login, logout); "
    "Flask-Principal listens and sets the new identity.",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_principal.identity_changed``: send it with the app as sender."""

identity_loaded = bridge(
    _raw.identity_loaded,
    IdentityLoaded,
    "Sent by Flask-Principal after an identity is set; receivers add its needs.",
    module=__name__,
    prefix=_PREFIX,
)
"""Mirror of ``flask_principal.identity_loaded``."""
