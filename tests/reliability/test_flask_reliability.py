"""Flask layer: apps are never kept alive by signals, and the catalog refuses hostile input.

* An app with typed receivers connected for it, through any of the ten bridged Flask
  signals, is garbage-collected once its last user reference goes, also when the
  receiver is a bound method of an object holding the app, and with the
  ``TypedSignals`` extension initialised. Only a receiver connected strongly on
  purpose (``weak=False``) keeps it alive, until it is disconnected.
* The ten payload models of the Flask catalog, fed with fields generated from their
  JSON Schema, with arbitrary junk, and through Flask's raw blinker signals: ``send``
  agrees with pydantic (PayloadError and no receiver, or delivery of the validated
  payload), and valid objects (templates, responses, exceptions, the context dict) are
  delivered as the very objects given.
"""

from __future__ import annotations

import gc
import logging
import weakref
from pathlib import Path
from typing import Any, Final

import pytest
from flask import Flask, Response, flash, render_template_string
from hypothesis import strategies as st
from markupsafe import Markup
from pydantic import BaseModel

import typedsignals.flask as typed_flask
from typedsignals import PayloadError, Signal
from typedsignals.flask import TypedSignals

from ._hostile import expected_outcome, junk_fields, junk_values, same
from ._schema_strategy import from_json_schema
from ._support import run_property, scaled
from .conftest import Figures

FLASK_SIGNALS: Final = [
    "template_rendered",
    "before_render_template",
    "request_started",
    "request_finished",
    "got_request_exception",
    "request_tearing_down",
    "appcontext_tearing_down",
    "appcontext_pushed",
    "appcontext_popped",
    "message_flashed",
]
EXAMPLES: Final = scaled(25, 1_000)
HERE: Final = str(Path(__file__).parent)

APP: Final = Flask("reliability-hostile", root_path=HERE)
"""The sender of the hostile-input sends (module level: hypothesis reuses it)."""
TEMPLATES: Final = [APP.jinja_env.from_string(text) for text in ("", "{{ x }}", "<p>{{ y }}</p>")]


def typed(name: str) -> Signal[Flask, Any, Any]:
    signal: Signal[Flask, Any, Any] = getattr(typed_flask, name)
    return signal


def make_app() -> Flask:
    """An app whose two routes, between them, make Flask send all ten signals."""
    app = Flask("reliability-gc", root_path=HERE)
    app.secret_key = "reliability"

    @app.route("/")
    def index() -> str:
        flash("hello", "info")
        return render_template_string("<p>{{ greeting }}</p>", greeting="hi")

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    return app


def exercise(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """Request both routes; Flask's error log of /boom is silenced (a captured log record
    would hold the view's frames, and with them the app)."""
    caplog.set_level(logging.CRITICAL + 1, logger=app.name)
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/boom").status_code == 500


class ActivityLogger:
    """An object holding its app, whose bound method is the receiver."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.seen: list[str] = []

    def on_signal(self, sender: Flask, payload: BaseModel) -> None:
        self.seen.append(type(payload).__name__)


@pytest.mark.parametrize("name", FLASK_SIGNALS)
@pytest.mark.parametrize("kind", ["function", "bound-method", "extension"])
def test_app_is_collected_after_its_last_reference_goes(
    name: str, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An app with receivers connected for it is collected once nothing else holds it."""
    signal = typed(name)
    app = make_app()
    seen: list[str] = []

    def on_signal(sender: Flask, payload: BaseModel) -> None:
        seen.append(type(payload).__name__)

    logger = ActivityLogger(app)
    if kind == "extension":
        TypedSignals(app, error_policy="log")
    # The bound method is held weakly: it goes with its logger (and the logger's app).
    signal.connect(logger.on_signal if kind == "bound-method" else on_signal, app)
    try:
        exercise(app, caplog)
        heard = bool(seen or logger.seen)
        gone = weakref.ref(app)
        del app, logger
        gc.collect()
        assert heard, f"{name} was never delivered"
        assert gone() is None
    finally:
        signal.disconnect(on_signal)


@pytest.mark.parametrize("name", ["request_finished", "template_rendered"])
def test_app_is_kept_alive_only_by_a_receiver_held_strongly_on_purpose(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """weak=False keeps the receiver's object (and its app) alive until the disconnect."""
    signal = typed(name)
    app = make_app()
    logger = ActivityLogger(app)
    receiver = logger.on_signal
    signal.connect(receiver, weak=False)
    try:
        exercise(app, caplog)
        gone = weakref.ref(app)
        del app, logger
        gc.collect()
        assert gone() is not None
    finally:
        signal.disconnect(receiver)
    del receiver
    gc.collect()
    assert gone() is None


# -- hostile input against the catalog ---------------------------------------------------

VALID_FIELDS: Final[dict[str, st.SearchStrategy[Any]]] = {
    "template": st.sampled_from(TEMPLATES),
    "context": st.dictionaries(st.text(max_size=8), junk_values, max_size=4),
    "response": st.builds(Response, st.text(max_size=20)),
    "exception": st.builds(RuntimeError, st.text(max_size=10))
    | st.builds(KeyError, st.text(max_size=10)),
    "exc": st.none() | st.builds(RuntimeError, st.text(max_size=10)) | st.builds(KeyboardInterrupt),
    "message": st.text(max_size=20) | st.builds(Markup, st.text(max_size=20)),
    "category": st.text(max_size=10),
}
"""Valid values of each field of the Flask catalog, by field name."""


def check_send(name: str, fields: dict[str, Any], *, raw: bool = False) -> list[BaseModel]:
    """Send through the typed declaration (or Flask's raw blinker signal): PayloadError and
    no delivery when pydantic refuses the fields, else one delivery of what it builds."""
    signal = typed(name)
    model = signal.payload_model
    delivered: list[BaseModel] = []
    expected = expected_outcome(model, fields)
    raised: PayloadError | None = None
    with signal.connected_to(lambda sender, payload: delivered.append(payload), APP):
        try:
            if raw:
                signal.raw.send(APP, **fields)  # type: ignore[attr-defined]  # BridgedSignal
            else:
                signal.send(APP, **fields)
        except PayloadError as exc:
            raised = exc
    if expected is None:
        assert raised is not None, f"{name}: pydantic refused {fields!r:.200}, send accepted"
        assert delivered == []
    else:
        assert raised is None, f"{name}: pydantic accepted the fields, send raised {raised}"
        assert len(delivered) == 1
        assert same(delivered[0], expected)
    return delivered


def outcome(delivered: list[BaseModel]) -> str:
    return "delivered" if delivered else "refused"


@pytest.mark.parametrize("name", FLASK_SIGNALS)
def test_catalog_schema_generated_fields_are_refused_or_delivered(
    name: str, figures: Figures
) -> None:
    """Fields drawn from a Flask payload's JSON Schema: PayloadError, or delivered as built."""
    schema = typed(name).payload_model.model_json_schema()
    outcomes = run_property(
        from_json_schema(schema),
        lambda fields: outcome(check_send(name, fields)),
        examples=EXAMPLES,
    )
    figures(examples=outcomes.total(), **outcomes, errors=0)


@pytest.mark.parametrize("name", FLASK_SIGNALS)
def test_catalog_junk_is_refused_with_payload_error_or_delivered(
    name: str, figures: Figures
) -> None:
    """Arbitrary junk for a Flask payload: PayloadError and no receiver, or delivered."""
    outcomes = run_property(
        junk_fields(typed(name).payload_model),
        lambda fields: outcome(check_send(name, fields)),
        examples=EXAMPLES,
    )
    figures(examples=outcomes.total(), **outcomes, errors=0)


def valid_fields(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({field: VALID_FIELDS[field] for field in model.model_fields})


@pytest.mark.parametrize("name", FLASK_SIGNALS)
def test_catalog_valid_objects_are_delivered_as_the_very_objects(
    name: str, figures: Figures
) -> None:
    """Templates, responses, exceptions, context dicts and messages arrive uncopied."""

    def check(fields: dict[str, Any]) -> str:
        (payload,) = check_send(name, fields)
        for field, value in fields.items():
            assert getattr(payload, field) is value, field
        return "delivered"

    outcomes = run_property(valid_fields(typed(name).payload_model), check, examples=EXAMPLES)
    figures(examples=outcomes.total(), **outcomes, errors=0)


def known_junk(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Junk values for the model's own field names (unknown names only warn on raw sends)."""
    names = sorted(model.model_fields)
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, junk_values))


@pytest.mark.parametrize("name", FLASK_SIGNALS)
def test_raw_flask_sends_of_junk_are_refused_with_payload_error_or_delivered(
    name: str, figures: Figures
) -> None:
    """Junk sent through Flask's own blinker signal reaches typed receivers only if valid."""
    outcomes = run_property(
        known_junk(typed(name).payload_model),
        lambda fields: outcome(check_send(name, fields, raw=True)),
        examples=EXAMPLES,
    )
    figures(examples=outcomes.total(), **outcomes, errors=0)
