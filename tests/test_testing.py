"""typedsignals.testing: capture and the assertions, and the pytest plugin."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from typedsignals import Payload, PayloadError, Signal, all_signals, is_strict, strict_mode
from typedsignals.testing import Captured, Sent, assert_not_sent, assert_sent, capture


class UserCreated(Payload):
    username: str
    admin: bool = False


class App:
    """A sender."""


@pytest.fixture
def created() -> Signal[object, Any, UserCreated]:
    """A fresh signal carrying UserCreated."""
    return Signal("user-created", UserCreated)


# -- capture ------------------------------------------------------------------------------


def test_capture_records_sender_payload_pairs_in_order(
    created: Signal[object, Any, UserCreated],
) -> None:
    """capture() records every delivery as a Sent(sender, payload), in order."""
    app = App()
    with capture(created) as sent:
        created.send(app, username="ann")
        created.send("cli", username="bob", admin=True)
    assert list(sent) == [
        Sent(app, UserCreated(username="ann")),
        Sent("cli", UserCreated(username="bob", admin=True)),
    ]
    assert len(sent) == 2
    assert sent[0].sender is app
    assert sent.senders == [app, "cli"]
    assert [payload.username for payload in sent.payloads] == ["ann", "bob"]


def test_capture_records_only_the_given_sender(created: Signal[object, Any, UserCreated]) -> None:
    """capture(signal, sender) records only deliveries from that sender."""
    with capture(created, "app") as sent:
        created.send("app", username="ann")
        created.send("other", username="bob")
    assert sent.senders == ["app"]


def test_capture_stops_recording_after_the_block(created: Signal[object, Any, UserCreated]) -> None:
    """capture() disconnects its recorder on exit."""
    with capture(created) as sent:
        pass
    assert not created.has_receivers_for(None)
    created.send(None, username="late")
    assert len(sent) == 0


def test_capture_disconnects_when_the_block_raises(
    created: Signal[object, Any, UserCreated],
) -> None:
    """capture() disconnects its recorder even when the block raises."""
    with pytest.raises(RuntimeError), capture(created):
        raise RuntimeError("boom")
    assert not created.has_receivers_for(None)


@pytest.mark.parametrize("priority", [0, 100, -100])
def test_capture_sees_a_send_when_another_receiver_raises(
    created: Signal[object, Any, UserCreated], priority: int
) -> None:
    """A send is recorded even when another receiver (of any priority) raises."""

    def failing(sender: object, payload: UserCreated) -> None:
        raise RuntimeError("receiver failed")

    created.connect(failing, priority=priority)
    try:
        with capture(created) as sent, pytest.raises(RuntimeError):
            created.send(None, username="ann")
    finally:
        created.disconnect(failing)
    assert sent.payloads == [UserCreated(username="ann")]


def test_capture_records_nothing_for_an_invalid_send(
    created: Signal[object, Any, UserCreated],
) -> None:
    """A send rejected by validation is not recorded."""
    with capture(created) as sent, pytest.raises(PayloadError):
        created.send(None, username=42)
    assert len(sent) == 0


def test_capture_does_not_change_results(created: Signal[object, Any, UserCreated]) -> None:
    """Other receivers still run and are reported; the recorder is the first receiver."""

    def receiver(sender: object, payload: UserCreated) -> str:
        return "done"

    with created.connected_to(receiver), capture(created):
        results = created.send(None, username="ann")
    assert (receiver, "done") in results
    assert results[-1] == (receiver, "done")


# -- Captured.assert_sent / assert_not_sent / matching ------------------------------------------


@pytest.fixture
def sent(created: Signal[object, Any, UserCreated]) -> Captured[Any, UserCreated]:
    """A capture of three sends: ann from "app", bob from "cli", ann again from "cli"."""
    with capture(created) as captured:
        created.send("app", username="ann")
        created.send("cli", username="bob", admin=True)
        created.send("cli", username="ann")
    return captured


def test_captured_assert_sent_returns_first_match(sent: Captured[Any, UserCreated]) -> None:
    """Captured.assert_sent(**fields) returns the first matching delivery."""
    match = sent.assert_sent(username="ann")
    assert match is sent[0]


@pytest.mark.parametrize(
    ("sender", "fields"),
    [
        pytest.param("app", {}, id="sender-only"),
        pytest.param("cli", {"username": "ann"}, id="sender-and-field"),
        pytest.param(None, {"admin": True}, id="field-only"),
        pytest.param(None, {}, id="anything"),
    ],
)
def test_captured_assert_sent_passes_on_a_match(
    sent: Captured[Any, UserCreated], sender: object, fields: dict[str, Any]
) -> None:
    """Captured.assert_sent() passes when some delivery matches sender and fields."""
    args = () if sender is None else (sender,)
    sent.assert_sent(*args, **fields)


@pytest.mark.parametrize(
    ("sender", "fields"),
    [
        pytest.param("app", {"username": "bob"}, id="field-from-other-sender"),
        pytest.param("nobody", {}, id="unknown-sender"),
        pytest.param(None, {"username": "carl"}, id="unknown-value"),
        pytest.param(None, {"username": "ann", "admin": True}, id="fields-from-two-sends"),
    ],
)
def test_captured_assert_sent_fails_without_a_match(
    sent: Captured[Any, UserCreated], sender: object, fields: dict[str, Any]
) -> None:
    """Captured.assert_sent() raises AssertionError naming the signal when nothing matches."""
    args = () if sender is None else (sender,)
    with pytest.raises(AssertionError, match="user-created"):
        sent.assert_sent(*args, **fields)


@pytest.mark.parametrize(("times", "ok"), [(1, False), (2, True), (3, False)])
def test_captured_assert_sent_times_counts_exactly(
    sent: Captured[Any, UserCreated], times: int, ok: bool
) -> None:
    """assert_sent(times=n) passes only when exactly n deliveries match."""
    if ok:
        sent.assert_sent(username="ann", times=times)
    else:
        with pytest.raises(AssertionError, match=f"{times} time"):
            sent.assert_sent(username="ann", times=times)


def test_captured_assert_sent_matches_objects_by_identity(
    created: Signal[object, Any, UserCreated],
) -> None:
    """A sender object in an assertion matches that very object, not an equal one."""
    mine, equal = [1], [1]
    with capture(created) as sent:
        created.send(mine, username="ann")
    sent.assert_sent(mine)
    with pytest.raises(AssertionError):
        sent.assert_sent(equal)


def test_captured_assert_sent_message_lists_the_sends(sent: Captured[Any, UserCreated]) -> None:
    """The failure message lists what was actually sent."""
    with pytest.raises(AssertionError) as info:
        sent.assert_sent(username="carl")
    assert "'ann'" in str(info.value)
    assert "'bob'" in str(info.value)


def test_captured_assert_not_sent_passes_without_a_match(sent: Captured[Any, UserCreated]) -> None:
    """Captured.assert_not_sent(**fields) passes when no delivery matches."""
    sent.assert_not_sent(username="carl")
    sent.assert_not_sent("app", admin=True)


def test_captured_assert_not_sent_fails_on_a_match(sent: Captured[Any, UserCreated]) -> None:
    """Captured.assert_not_sent(**fields) raises AssertionError when a delivery matches."""
    with pytest.raises(AssertionError, match="user-created"):
        sent.assert_not_sent(username="bob")


def test_captured_assert_not_sent_without_arguments_means_nothing_at_all(
    created: Signal[object, Any, UserCreated], sent: Captured[Any, UserCreated]
) -> None:
    """assert_not_sent() with no arguments fails if anything at all was delivered."""
    with pytest.raises(AssertionError):
        sent.assert_not_sent()
    with capture(created) as nothing:
        pass
    nothing.assert_not_sent()


def test_captured_matching_filters_deliveries(sent: Captured[Any, UserCreated]) -> None:
    """Captured.matching() returns the matching deliveries in order."""
    assert sent.matching("cli") == [sent[1], sent[2]]
    assert sent.matching(username="ann") == [sent[0], sent[2]]


@pytest.mark.parametrize(
    "check",
    [
        pytest.param(lambda sent: sent.assert_sent(usrname="ann"), id="assert_sent"),
        pytest.param(lambda sent: sent.assert_not_sent(usrname="ann"), id="assert_not_sent"),
        pytest.param(lambda sent: sent.matching(usrname="ann"), id="matching"),
    ],
)
def test_captured_unknown_field_raises_value_error_naming_it(
    sent: Captured[Any, UserCreated], check: Callable[[Captured[Any, UserCreated]], object]
) -> None:
    """An assertion on a field the model does not have raises ValueError naming it."""
    with pytest.raises(ValueError, match="usrname") as info:
        check(sent)
    assert "user-created" in str(info.value)


# -- module-level assert_sent / assert_not_sent -----------------------------------------------


def test_assert_sent_passes_when_sent(created: Signal[object, Any, UserCreated]) -> None:
    """assert_sent(signal, **fields) passes when the block sent a match."""
    with assert_sent(created, "app", username="ann") as sent:
        created.send("app", username="ann")
    assert isinstance(sent, Captured)


def test_assert_sent_fails_when_not_sent(created: Signal[object, Any, UserCreated]) -> None:
    """assert_sent(signal, ...) fails at the end of a block that sent no match."""
    checked = assert_sent(created, username="ann")
    with pytest.raises(AssertionError, match="user-created"), checked:
        created.send(None, username="bob")


def send_twice(signal: Signal[object, Any, UserCreated]) -> None:
    """Send ann twice."""
    signal.send(None, username="ann")
    signal.send(None, username="ann")


def test_assert_sent_times_passes_on_exact_count(
    created: Signal[object, Any, UserCreated],
) -> None:
    """assert_sent(signal, times=n) passes when exactly n matching sends happened."""
    with assert_sent(created, times=2, username="ann"):
        send_twice(created)


@pytest.mark.parametrize("times", [1, 3])
def test_assert_sent_times_fails_on_another_count(
    created: Signal[object, Any, UserCreated], times: int
) -> None:
    """assert_sent(signal, times=n) fails when the number of matching sends is not n."""
    with pytest.raises(AssertionError), assert_sent(created, times=times, username="ann"):
        send_twice(created)


def test_assert_not_sent_passes_when_not_sent(created: Signal[object, Any, UserCreated]) -> None:
    """assert_not_sent(signal, **fields) passes when the block sent no match."""
    with assert_not_sent(created, username="ann"):
        created.send(None, username="bob")


def test_assert_not_sent_fails_when_sent(created: Signal[object, Any, UserCreated]) -> None:
    """assert_not_sent(signal, ...) fails at the end of a block that sent a match."""
    with pytest.raises(AssertionError, match="user-created"), assert_not_sent(created):
        created.send(None, username="ann")


@pytest.mark.parametrize(
    "helper",
    [
        pytest.param(assert_sent, id="assert_sent"),
        pytest.param(assert_not_sent, id="assert_not_sent"),
    ],
)
def test_module_assertion_unknown_field_raises_value_error(
    created: Signal[object, Any, UserCreated], helper: Callable[..., Any]
) -> None:
    """The context managers reject a field the model does not have, naming it."""
    with pytest.raises(ValueError, match="nickname"), helper(created, nickname="ann"):
        created.send(None, username="ann")


def test_assertion_helpers_leave_no_receiver(created: Signal[object, Any, UserCreated]) -> None:
    """assert_sent() and assert_not_sent() disconnect their recorder."""
    with assert_sent(created), assert_not_sent(created, username="bob"):
        created.send(None, username="ann")
    assert not created.has_receivers_for(None)


# -- the signal_capture fixture (this very session runs the plugin) ----------------------------


def test_signal_capture_fixture_records_until_the_test_ends(
    created: Signal[object, Any, UserCreated],
    signal_capture: Callable[..., Captured[Any, UserCreated]],
) -> None:
    """signal_capture(signal) records deliveries; the leak check sees no leftover receiver."""
    sent = signal_capture(created)
    created.send("app", username="ann")
    sent.assert_sent("app", username="ann")


def test_signal_capture_fixture_filters_by_sender(
    created: Signal[object, Any, UserCreated],
    signal_capture: Callable[..., Captured[Any, UserCreated]],
) -> None:
    """signal_capture(signal, sender) records only that sender."""
    sent = signal_capture(created, "app")
    created.send("app", username="ann")
    created.send("cli", username="bob")
    assert sent.senders == ["app"]


def test_plugin_strict_mode_is_on_in_this_session() -> None:
    """Our own suite opts in to strict mode (pyproject.toml), and the plugin honours it."""
    assert is_strict()


# -- the pytest plugin, in a sandbox ------------------------------------------------------------


@pytest.fixture
def leak_target() -> Iterator[str]:
    """The name of a signal a sandboxed test may leak into; its receivers are removed after."""
    name = f"leak-target-{uuid.uuid4().hex}"
    yield name
    for table in all_signals():
        if table.name == name and isinstance(table, Signal):
            for sender in (None, "the-sender"):
                for receiver in table.receivers_for(sender):
                    table.disconnect(receiver)


def run_sandbox(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run pytest in-process on the sandbox.

    Hypothesis' plugin is left out: it imports hypothesis at the end of every session, and
    pytester drops modules imported during the run, so each run would import it afresh.
    """
    return pytester.runpytest("-p", "no:hypothesispytest", *args)


def make_test_module(pytester: pytest.Pytester, source: str, **names: str) -> None:
    """Write a test module into the sandbox, with ``{name}`` placeholders filled."""
    pytester.makepyfile(test_sandbox=textwrap.dedent(source).format(**names))


LEAKY_MODULE = """
    from typedsignals import Signal

    sig = Signal("{target}")

    def leaky_receiver(sender, payload):
        pass

    def test_leaks():
        sig.connect(leaky_receiver)
    """
"""A sandbox test that leaves a module-level receiver connected to the leak target."""

STRICT_MODULE = """
    import pytest
    from typedsignals import Payload, PayloadError, Signal, is_strict

    class Event(Payload):
        n: int

    def test_bad_unheard_send():
        assert is_strict() is {strict}
        if {strict}:
            with pytest.raises(PayloadError):
                Signal("unheard", Event).send(None, n="not a number")
        else:
            Signal("unheard", Event).send(None, n="not a number")  # not validated
    """
"""A sandbox test of the strict mode the session is expected to have."""


@pytest.fixture
def leak_checked(pytester: pytest.Pytester) -> pytest.Pytester:
    """A sandbox whose ini file turns the leak check on."""
    pytester.makeini("[pytest]\ntypedsignals_leak_check = true\n")
    return pytester


# ---- what the plugin does by default: nothing


def test_plugin_leaves_strict_mode_off_by_default(pytester: pytest.Pytester) -> None:
    """Without opting in, strict mode stays off: an unheard bad send goes unvalidated."""
    make_test_module(pytester, STRICT_MODULE, strict="False")
    with strict_mode(False):  # as in a fresh process
        result = run_sandbox(pytester)
    result.assert_outcomes(passed=1)


def test_plugin_leak_check_is_off_by_default(pytester: pytest.Pytester, leak_target: str) -> None:
    """Without opting in, a test that leaves a receiver connected passes."""
    make_test_module(pytester, LEAKY_MODULE, target=leak_target)
    run_sandbox(pytester).assert_outcomes(passed=1)


def test_plugin_import_is_cheap() -> None:
    """Importing the plugin (pytest does it in every run) imports neither Pydantic nor the
    typed signal."""
    code = (
        "import sys, pytest, typedsignals._pytest_plugin\n"
        "heavy = ('pydantic', 'typedsignals._signal', 'typedsignals.testing')\n"
        "print([name for name in heavy if name in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


# ---- opting in


@pytest.mark.parametrize(
    ("ini", "args"),
    [
        pytest.param("typedsignals_strict = true", (), id="ini"),
        pytest.param("", ("--typedsignals-strict",), id="flag"),
    ],
)
def test_plugin_strict_mode_is_opt_in(
    pytester: pytest.Pytester, ini: str, args: tuple[str, ...]
) -> None:
    """The ini option or the flag turns strict mode on for the session, and off after it."""
    pytester.makeini(f"[pytest]\n{ini}\n")
    make_test_module(pytester, STRICT_MODULE, strict="True")
    with strict_mode(False):  # as in a fresh process
        result = run_sandbox(pytester, *args)
        assert not is_strict()  # restored after the session
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("ini", "args"),
    [
        pytest.param("typedsignals_leak_check = true", (), id="ini"),
        pytest.param("", ("--typedsignals-leak-check",), id="flag"),
    ],
)
def test_plugin_leak_check_is_opt_in(
    pytester: pytest.Pytester, leak_target: str, ini: str, args: tuple[str, ...]
) -> None:
    """With the ini option or the flag, a leaking test errors at teardown, naming the signal
    and the receiver."""
    pytester.makeini(f"[pytest]\n{ini}\n")
    make_test_module(pytester, LEAKY_MODULE, target=leak_target)
    result = run_sandbox(pytester, *args)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*test left receivers connected*", f"*signal '{leak_target}'*leaky_receiver*"]
    )


def test_plugin_leak_check_names_the_sender(
    leak_checked: pytest.Pytester, leak_target: str
) -> None:
    """A leaked sender-specific connection is reported with its sender."""
    make_test_module(
        leak_checked,
        """
        from typedsignals import Signal

        sig = Signal("{target}")

        def leaky_receiver(sender, payload):
            pass

        def test_leaks():
            sig.connect(leaky_receiver, sender="the-sender")
        """,
        target=leak_target,
    )
    result = run_sandbox(leak_checked)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*leaky_receiver*the-sender*"])


def test_plugin_leak_check_passes_a_clean_test(leak_checked: pytest.Pytester) -> None:
    """A test that disconnects what it connected passes."""
    make_test_module(
        leak_checked,
        """
        from typedsignals import Signal

        sig = Signal("clean")

        def receiver(sender, payload):
            pass

        def test_clean():
            sig.connect(receiver)
            sig.disconnect(receiver)

        def test_clean_with_connected_to():
            with sig.connected_to(receiver):
                sig.send(None)
        """,
    )
    run_sandbox(leak_checked).assert_outcomes(passed=2)


def test_plugin_allow_leaks_marker_exempts_a_test(
    leak_checked: pytest.Pytester, leak_target: str
) -> None:
    """@pytest.mark.typedsignals_allow_leaks exempts a test (and is a registered marker)."""
    make_test_module(
        leak_checked,
        """
        import pytest
        from typedsignals import Signal

        sig = Signal("{target}")

        def leaky_receiver(sender, payload):
            pass

        @pytest.mark.typedsignals_allow_leaks
        def test_leaks_on_purpose():
            sig.connect(leaky_receiver)
        """,
        target=leak_target,
    )
    run_sandbox(leak_checked, "--strict-markers").assert_outcomes(passed=1)


def test_plugin_leak_check_ini_false_keeps_it_off(
    pytester: pytest.Pytester, leak_target: str
) -> None:
    """typedsignals_leak_check = false in the ini keeps the leak check off."""
    pytester.makeini("[pytest]\ntypedsignals_leak_check = false\n")
    make_test_module(pytester, LEAKY_MODULE, target=leak_target)
    run_sandbox(pytester).assert_outcomes(passed=1)


def test_plugin_leak_check_skips_a_failed_test(
    leak_checked: pytest.Pytester, leak_target: str
) -> None:
    """A test that fails is reported for its failure only, not for what it left connected."""
    make_test_module(
        leak_checked,
        """
        from typedsignals import Signal

        sig = Signal("{target}")

        def leaky_receiver(sender, payload):
            pass

        def test_fails_before_its_clean_up():
            sig.connect(leaky_receiver)
            assert False, "the test's own failure"
        """,
        target=leak_target,
    )
    result = run_sandbox(leak_checked)
    result.assert_outcomes(failed=1)
    result.stdout.no_fnmatch_line("*test left receivers connected*")


# ---- what the leak check does not count


def test_plugin_leak_check_ignores_receivers_connected_before_the_test(
    leak_checked: pytest.Pytester, leak_target: str
) -> None:
    """Receivers connected at import time are not counted as the test's leaks."""
    make_test_module(
        leak_checked,
        """
        from typedsignals import Signal

        sig = Signal("{target}")

        def module_receiver(sender, payload):
            pass

        sig.connect(module_receiver)

        def test_uses_it():
            sig.send(None)
        """,
        target=leak_target,
    )
    run_sandbox(leak_checked).assert_outcomes(passed=1)


def test_plugin_leak_check_ignores_dead_weak_receivers(leak_checked: pytest.Pytester) -> None:
    """A weakly held receiver whose owner died by the end of the test is not a leak."""
    make_test_module(
        leak_checked,
        """
        import gc
        from typedsignals import Signal

        sig = Signal("weak")

        class Listener:
            def on_event(self, sender, payload):
                pass

        def test_weak():
            sig.connect(Listener().on_event)
            gc.collect()
        """,
    )
    run_sandbox(leak_checked).assert_outcomes(passed=1)


def test_plugin_leak_check_collects_garbage_first(leak_checked: pytest.Pytester) -> None:
    """A weakly held receiver whose owner is in a reference cycle, so only the garbage
    collector frees it, is not a leak."""
    make_test_module(
        leak_checked,
        """
        import gc
        from typedsignals import Signal

        sig = Signal("weak-in-a-cycle")

        class Listener:
            def __init__(self):
                self.me = self  # a cycle: reference counting alone never frees it

            def on_event(self, sender, payload):
                pass

        def test_weak_in_a_cycle():
            listener = Listener()
            sig.connect(listener.on_event)
            gc.collect(1)  # moves it to the oldest generation: only a full collection frees it
        """,
    )
    run_sandbox(leak_checked).assert_outcomes(passed=1)


def test_plugin_leak_check_accepts_a_reconnected_pre_existing_receiver(
    leak_checked: pytest.Pytester, leak_target: str
) -> None:
    """A test that disconnects a module-level receiver and reconnects it leaves things as
    they were, so it passes."""
    make_test_module(
        leak_checked,
        """
        from typedsignals import Signal

        sig = Signal("{target}")

        def module_receiver(sender, payload):
            pass

        sig.connect(module_receiver)

        def test_swaps_it_out_and_back():
            sig.disconnect(module_receiver)
            try:
                sig.send(None)
            finally:
                sig.connect(module_receiver)
        """,
        target=leak_target,
    )
    run_sandbox(leak_checked).assert_outcomes(passed=1)


@pytest.mark.parametrize("scope", ["function", "module", "session"])
def test_plugin_leak_check_ignores_what_fixtures_connect(
    leak_checked: pytest.Pytester, leak_target: str, scope: str
) -> None:
    """Connections an app-factory fixture makes (of any scope, torn down or not) are not
    the tests' leaks."""
    make_test_module(
        leak_checked,
        """
        import pytest
        from typedsignals import Signal

        sig = Signal("{target}")

        class App:
            def on_event(self, sender, payload):
                pass

        def create_app():
            app = App()
            sig.connect(lambda sender, payload: None, sender=app)  # strong, routed
            sig.connect(app.on_event)  # weak bound method
            return app

        @pytest.fixture(scope="{scope}")
        def app():
            return create_app()

        @pytest.fixture(scope="{scope}")
        def connected():
            def receiver(sender, payload):
                pass
            with sig.connected_to(receiver):
                yield receiver

        def test_one(app, connected):
            sig.send(app)

        def test_two(app, connected):
            sig.send(app)
        """,
        target=leak_target,
        scope=scope,
    )
    run_sandbox(leak_checked).assert_outcomes(passed=2)


def test_plugin_leak_check_ignores_connections_that_die_with_a_fixture(
    leak_checked: pytest.Pytester,
) -> None:
    """A test's connection for a sender (or to a weak receiver) that a function-scoped
    fixture returned dies with the fixture, so it is not a leak."""
    make_test_module(
        leak_checked,
        """
        import pytest
        from typedsignals import Signal

        sig = Signal("dies-with-a-fixture")

        class App:
            def on_event(self, sender, payload):
                pass

        @pytest.fixture
        def app():
            return App()

        def test_routed_to_the_fixture(app):
            sig.connect(lambda sender, payload: None, sender=app)

        def test_weak_receiver_of_the_fixture(app):
            sig.connect(app.on_event)
        """,
    )
    run_sandbox(leak_checked).assert_outcomes(passed=2)


def test_plugin_leak_check_reports_a_connection_to_a_longer_lived_fixture(
    leak_checked: pytest.Pytester, leak_target: str
) -> None:
    """A test that leaves a receiver connected for a module-scoped fixture's sender leaks
    it into the next tests, so it fails."""
    make_test_module(
        leak_checked,
        """
        import pytest
        from typedsignals import Signal

        sig = Signal("{target}")

        def leaky_receiver(sender, payload):
            pass

        @pytest.fixture(scope="module")
        def app():
            return "the-sender"

        def test_leaks(app):
            sig.connect(leaky_receiver, sender=app)
        """,
        target=leak_target,
    )
    result = run_sandbox(leak_checked)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*leaky_receiver*the-sender*"])


def test_plugin_leak_check_ignores_registrations_of_a_first_import(
    leak_checked: pytest.Pytester, leak_target: str
) -> None:
    """What a module's import connects is not a leak of the test that imports it first, so
    which test fails does not depend on the order the tests run in."""
    leak_checked.makepyfile(
        registrations=textwrap.dedent(
            f"""
            from typedsignals import Signal

            sig = Signal("{leak_target}")

            def on_event(sender, payload):
                pass

            class Tracker:
                def on_event(self, sender, payload):
                    pass

            tracker = Tracker()
            sig.connect(on_event)
            sig.connect(tracker.on_event)
            sig.connect(lambda sender, payload: None, sender="the-sender")
            """
        )
    )
    make_test_module(
        leak_checked,
        """
        def test_imports_it_first():
            import registrations

        def test_imports_it_again():
            import registrations
        """,
    )
    run_sandbox(leak_checked).assert_outcomes(passed=2)


def test_plugin_leak_check_under_flask_principal(pytester: pytest.Pytester) -> None:
    """Under typedsignals.blinker.install(), Flask-Principal's own connections (made by
    init_app on an app a test creates) are not reported."""
    pytester.makeini("[pytest]\ntypedsignals_leak_check = true\nfilterwarnings = error\n")
    pytester.makeconftest("import typedsignals.blinker\n\ntypedsignals.blinker.install()\n")
    make_test_module(
        pytester,
        """
        import blinker
        from flask import Flask
        from flask_principal import Identity, Principal, identity_changed, identity_loaded

        def make_app():
            app = Flask(__name__)
            app.secret_key = "not secret"
            Principal(app, use_sessions=False)

            @app.route("/")
            def index():
                identity_changed.send(app, identity=Identity("ann"))
                return "ok"

            return app

        def test_switched():
            assert blinker.__name__ == "typedsignals.blinker"

        def test_request():
            assert make_app().test_client().get("/").data == b"ok"

        def test_loaded_receiver():
            app = make_app()
            seen = []

            def on_loaded(sender, identity):
                seen.append(identity.id)

            with identity_loaded.connected_to(on_loaded, app):
                app.test_client().get("/")
            assert seen == ["ann"]
        """,
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_plugin_signal_capture_fixture_cleans_up(leak_checked: pytest.Pytester) -> None:
    """The signal_capture fixture records and leaves no receiver behind after the test."""
    make_test_module(
        leak_checked,
        """
        from typedsignals import Payload, Signal

        class Event(Payload):
            n: int

        sig = Signal("captured", Event)

        def test_captures(signal_capture):
            sent = signal_capture(sig)
            sig.send("app", n=1)
            sent.assert_sent("app", n=1)

        def test_nothing_left_afterwards():
            assert not sig.has_receivers_for("app")
        """,
    )
    run_sandbox(leak_checked).assert_outcomes(passed=2)
