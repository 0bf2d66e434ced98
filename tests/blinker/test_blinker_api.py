"""typedsignals.blinker's API: blinker 1.9's names, signatures and behaviour.

Where a behaviour is shared with blinker, the test runs on both (``impl``) so that it
pins blinker's behaviour rather than our reading of it; where ours deliberately
differs, the test runs on ours only and says so.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import pickle
import weakref
from collections.abc import Callable, Coroutine
from types import ModuleType
from typing import Any

import blinker
import pytest
from blinker_support import is_ours

import typedsignals
import typedsignals.blinker
from typedsignals.blinker import ANY, NamedSignal, Namespace, Signal
from typedsignals.blinker._utilities import Symbol, make_id, make_ref
from typedsignals.exceptions import ReceiverTypeError

pytest_plugins = ["blinker_support"]  # the impl and run_python fixtures

BLINKER_NAMES = {"ANY", "NamedSignal", "Namespace", "Signal", "default_namespace", "signal"}


class Recorder:
    """A receiver (and its bound method) that records what it hears."""

    def __init__(self) -> None:
        self.heard: list[tuple[object, dict[str, Any]]] = []

    def __call__(self, *sent_by: object, **kwargs: Any) -> str:
        # *sent_by: meta signals pass a keyword argument called "sender".
        self.heard.append((sent_by[0], kwargs))
        return "called"

    def method(self, *sent_by: object, **kwargs: Any) -> str:
        return self(*sent_by, **kwargs)


class Unreferenceable:
    """A callable that cannot be weakly referenced."""

    __slots__ = ()

    def __call__(self, sender: object, **kwargs: Any) -> None:
        return None


# -- the module -------------------------------------------------------------------


def test_all_is_blinkers_names_plus_install() -> None:
    """__all__ holds blinker's public names and the install helpers."""
    assert set(typedsignals.blinker.__all__) == {
        *blinker.__all__,
        "install",
        "installed",
        "uninstall",
    }
    assert set(blinker.__all__) == BLINKER_NAMES


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("base", ["ANY", "ANY_ID", "NamedSignal", "Namespace", "Signal", "default_namespace"]),
        ("base", ["signal", "Symbol", "make_id", "make_ref"]),
        ("_utilities", ["Symbol", "make_id", "make_ref"]),
    ],
)
def test_submodules_have_blinkers_names(module: str, names: list[str]) -> None:
    """base and _utilities expose what blinker.base and blinker._utilities do."""
    ours = getattr(typedsignals.blinker, module)
    theirs = getattr(blinker, module)
    for name in names:
        assert hasattr(theirs, name), name
        assert hasattr(ours, name), name


@pytest.mark.parametrize(
    "name",
    ["Signal.send", "Signal.send_async", "Signal.connect", "Signal.connect_via",
     "Signal.connected_to", "Signal.disconnect", "Signal.muted", "Signal.has_receivers_for",
     "Signal.receivers_for", "NamedSignal.__init__", "Namespace.signal"],
)  # fmt: skip
def test_signatures_extend_blinkers(name: str) -> None:
    """Every method takes blinker's parameters, in blinker's order and kinds."""
    ours = inspect.signature(_attribute(typedsignals.blinker, name))
    theirs = inspect.signature(_attribute(blinker, name))
    shared = list(ours.parameters.values())[: len(theirs.parameters)]
    # Defaults compared by repr: each module has its own ANY symbol.
    assert [(p.name, p.kind, repr(p.default)) for p in shared] == [
        (p.name, p.kind, repr(p.default)) for p in theirs.parameters.values()
    ]
    extra = list(ours.parameters.values())[len(theirs.parameters) :]
    assert all(p.kind is p.KEYWORD_ONLY and p.default is None for p in extra)


def _attribute(module: ModuleType, dotted: str) -> Any:
    owner, name = dotted.split(".")
    return getattr(getattr(module, owner), name)


def test_import_does_not_import_pydantic(run_python: Callable[..., Any]) -> None:
    """import typedsignals.blinker leaves pydantic unimported."""
    result = run_python(
        """
        import sys
        import typedsignals.blinker
        sig = typedsignals.blinker.signal("x")
        sig.connect(print, weak=False)
        sig.disconnect(print)
        print(sorted(m for m in sys.modules if m.split(".")[0] in {"pydantic", "flask"}))
        """
    )
    assert result.stdout.strip() == "[]"


def test_signals_are_receiver_tables() -> None:
    """Compat signals run on the core table, so typedsignals.all_signals() lists them."""
    sig = Signal()
    assert sig in typedsignals.all_signals()


# -- _utilities ------------------------------------------------------------------


def test_symbol_is_a_named_singleton() -> None:
    """Symbol(name) returns one object per name, printed as its name."""
    assert Symbol("foo") is Symbol("foo")
    assert Symbol("foo") is not Symbol("bar")
    assert repr(Symbol("foo")) == "foo"
    assert Symbol("foo").name == "foo"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_symbol_survives_pickling(protocol: int) -> None:
    """A pickled symbol loads as the same object, under every protocol."""
    assert pickle.loads(pickle.dumps(ANY, protocol)) is ANY


def test_make_id_matches_blinker() -> None:
    """make_id keys bound methods by function and instance, str and int by value."""
    recorder = Recorder()
    for obj in (recorder.method, recorder, "app", 7, None):
        assert make_id(obj) == blinker._utilities.make_id(obj)
    assert make_id(recorder.method) == make_id(recorder.method)


def test_make_ref_holds_bound_methods_on_their_instance() -> None:
    """make_ref(bound method) lives as long as the instance, not the method object."""
    recorder = Recorder()
    ref = make_ref(recorder.method)
    assert ref() == recorder.method
    del recorder
    gc.collect()
    assert ref() is None


def test_any_is_blinkers_kind_of_symbol() -> None:
    """ANY is a Symbol named ANY, also reachable as Signal.ANY."""
    assert isinstance(ANY, Symbol)
    assert repr(ANY) == "ANY"
    assert Signal.ANY is ANY


# -- sending ------------------------------------------------------------------------


def test_send_calls_receivers_with_sender_and_kwargs(impl: ModuleType) -> None:
    """send() calls receiver(sender, **kwargs) and returns [(receiver, result)]."""
    sig = impl.Signal()
    recorder = Recorder()
    sig.connect(recorder, weak=False)
    try:
        assert sig.send("app", user="ann") == [(recorder, "called")]
        assert sig.send() == [(recorder, "called")]
    finally:
        sig.disconnect(recorder)
    assert recorder.heard == [("app", {"user": "ann"}), (None, {})]


def test_send_takes_one_positional_sender(impl: ModuleType) -> None:
    """A second positional argument to send() is a TypeError."""
    with pytest.raises(TypeError):
        impl.Signal().send("app", "extra")


def test_receivers_run_in_connection_order() -> None:
    """Receivers are called in connection order, ANY and sender-specific ones merged."""
    sig = Signal()
    calls: list[str] = []
    receivers = {}
    for name in ("first", "second", "third", "fourth"):
        receivers[name] = _named(calls, name)
    sig.connect(receivers["first"], weak=False)
    sig.connect(receivers["second"], "app", weak=False)
    sig.connect(receivers["third"], weak=False)
    sig.connect(receivers["fourth"], "app", weak=False)
    try:
        sig.send("app")
        sig.send("other")
    finally:
        for receiver in receivers.values():
            sig.disconnect(receiver)
    assert calls == ["first", "second", "third", "fourth", "first", "third"]


def _named(calls: list[str], name: str) -> Callable[..., None]:
    def receiver(sender: object, **kwargs: object) -> None:
        calls.append(name)

    return receiver


@pytest.mark.parametrize("count", [1, 2, 3, 10])
@pytest.mark.parametrize("weak", [False, True])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"a": 1},
        {"a": 1, "b": "x"},
        {"type": 1, "items": 2, "results": 3, "deliver": 4},
        {"class": 1, "not an identifier": 2},
        {"\ufb01": 1, "café": 2},
        {"_ts_r": 3},
    ],
    ids=["none", "one", "two", "builtin-names", "odd-names", "non-ascii", "reserved-name"],
)
def test_every_delivery_path_passes_the_same_arguments(
    count: int, weak: bool, kwargs: dict[str, Any]
) -> None:
    """Fast paths for 1 or many receivers, weak or strong, deliver exactly the kwargs."""
    sig = Signal()
    recorders = [Recorder() for _ in range(count)]
    for recorder in recorders:
        sig.connect(recorder, weak=weak)
    try:
        results = sig.send("app", **kwargs)
    finally:
        for recorder in recorders:
            sig.disconnect(recorder)
    assert results == [(recorder, "called") for recorder in recorders]
    assert all(recorder.heard == [("app", kwargs)] for recorder in recorders)


def test_a_receiver_error_propagates_at_once(impl: ModuleType) -> None:
    """An exception in a receiver propagates; later receivers do not run."""
    sig = impl.Signal()
    later = Recorder()

    def failing(sender: object, **kwargs: object) -> None:
        raise LookupError("boom")

    sig.connect(failing, weak=False)
    sig.connect(later, weak=False)
    try:
        with pytest.raises(LookupError, match="boom"):
            sig.send("app")
    finally:
        sig.disconnect(failing)
        sig.disconnect(later)
    if is_ours(impl):  # blinker's order is undefined; ours is connection order
        assert later.heard == []


def test_sender_filtering(impl: ModuleType) -> None:
    """A receiver connected for a sender hears only that sender (str and int by value)."""
    sig = impl.Signal()
    recorder = Recorder()
    owner = Recorder()
    sig.connect(recorder, 123456789, weak=False)
    sig.connect(recorder, "app", weak=False)
    sig.connect(recorder, owner, weak=False)
    try:
        sig.send(int("123456789"))
        sig.send("".join(["a", "pp"]))
        sig.send(owner)
        sig.send(Recorder())
        sig.send(None)
    finally:
        sig.disconnect(recorder)
    assert [sender for sender, _ in recorder.heard] == [123456789, "app", owner]


def test_send_with_a_dead_weak_receiver_skips_it(impl: ModuleType) -> None:
    """A weakly held receiver that died is skipped and removed."""
    sig = impl.Signal()
    kept = Recorder()
    dying = Recorder()
    sig.connect(kept)
    sig.connect(dying)
    del dying
    gc.collect()
    try:
        assert sig.send("app") == [(kept, "called")]
        assert list(sig.receivers_for("app")) == [kept]
    finally:
        sig.disconnect(kept)


def test_coroutine_receiver_needs_an_async_wrapper(impl: ModuleType) -> None:
    """send() refuses a coroutine receiver unless _async_wrapper turns it into a callable."""
    sig = impl.Signal()

    async def receiver(sender: object, **kwargs: object) -> str:
        return f"async {kwargs['n']}"

    def wrapper(func: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            return asyncio.run(func(*args, **kwargs))

        return run

    sig.connect(receiver, weak=False)
    try:
        with pytest.raises(RuntimeError, match="Cannot send to a coroutine function"):
            sig.send("app", n=1)
        assert sig.send("app", _async_wrapper=wrapper, n=2) == [(receiver, "async 2")]
    finally:
        sig.disconnect(receiver)


def test_send_async_needs_a_sync_wrapper_for_plain_receivers(impl: ModuleType) -> None:
    """send_async() awaits coroutine receivers; plain ones need _sync_wrapper."""
    sig = impl.Signal()

    async def coroutine(sender: object, **kwargs: object) -> str:
        return "awaited"

    def plain(sender: object, **kwargs: object) -> str:
        return "wrapped"

    def wrapper(func: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, Any]]:
        async def run(*args: Any, **kwargs: Any) -> Any:
            return func(*args, **kwargs)

        return run

    sig.connect(coroutine, weak=False)
    try:
        assert asyncio.run(sig.send_async("app")) == [(coroutine, "awaited")]
        sig.connect(plain, weak=False)
        with pytest.raises(RuntimeError, match="Cannot send to a non-coroutine function"):
            asyncio.run(sig.send_async("app"))
        results = asyncio.run(sig.send_async("app", _sync_wrapper=wrapper))
    finally:
        sig.disconnect(coroutine)
        sig.disconnect(plain)
    assert sorted(result for _, result in results) == ["awaited", "wrapped"]


def test_muted_suppresses_sends(impl: ModuleType) -> None:
    """Inside muted() nothing is delivered; after it, delivery resumes."""
    sig = impl.Signal()
    recorder = Recorder()
    sig.connect(recorder, weak=False)
    try:
        with sig.muted():
            assert sig.is_muted
            assert sig.send("muted") == []
        assert not sig.is_muted
        sig.send("heard")
    finally:
        sig.disconnect(recorder)
    assert [sender for sender, _ in recorder.heard] == ["heard"]


def test_is_muted_can_be_set(impl: ModuleType) -> None:
    """Assigning is_muted mutes and unmutes, as blinker's plain attribute does."""
    sig = impl.Signal()
    recorder = Recorder()
    sig.connect(recorder, weak=False)
    try:
        sig.is_muted = True
        sig.send("muted")
        sig.is_muted = False
        sig.send("heard")
    finally:
        sig.disconnect(recorder)
    assert [sender for sender, _ in recorder.heard] == ["heard"]


def test_is_muted_setting_nests_with_muted_blocks() -> None:
    """is_muted = False does not end an enclosing muted() block (ours only)."""
    sig = Signal()
    with sig.muted():
        sig.is_muted = True
        sig.is_muted = False
        assert sig.is_muted
    assert not sig.is_muted


# -- connecting ----------------------------------------------------------------------


def test_connect_returns_the_receiver_and_decorates(impl: ModuleType) -> None:
    """connect() returns its receiver, so it works as a decorator."""
    sig = impl.Signal()

    @sig.connect
    def receiver(sender: object, **kwargs: object) -> str:
        return "decorated"

    try:
        assert sig.send("app") == [(receiver, "decorated")]
    finally:
        sig.disconnect(receiver)


def test_connect_is_weak_by_default(impl: ModuleType) -> None:
    """A receiver connected without weak= is dropped when it is garbage collected."""
    sig = impl.Signal()
    sig.connect(Recorder())
    gc.collect()
    assert sig.send("app") == []
    assert not sig.receivers


def test_connect_via_holds_strongly(impl: ModuleType) -> None:
    """connect_via() holds its receiver strongly and filters by sender."""
    sig = impl.Signal()

    def make() -> Callable[..., str]:
        @sig.connect_via("app")
        def local(sender: object, **kwargs: object) -> str:
            return "via"

        return local

    receiver = weakref.ref(make())
    gc.collect()
    try:
        assert receiver() is not None
        assert sig.send("app") == [(receiver(), "via")]
        assert sig.send("other") == []
    finally:
        sig.disconnect(receiver())


def test_bound_methods_are_held_on_their_instance(impl: ModuleType) -> None:
    """A weakly connected bound method lives as long as its instance."""
    sig = impl.Signal()
    recorder = Recorder()
    sig.connect(recorder.method)
    assert [r for r, _ in sig.send("app")] == [recorder.method]
    del recorder
    gc.collect()
    assert sig.send("app") == []


def test_connecting_twice_connects_once(impl: ModuleType) -> None:
    """Connecting a receiver again for the same sender adds nothing."""
    sig = impl.Signal()
    recorder = Recorder()
    sig.connect(recorder, weak=False)
    sig.connect(recorder, weak=False)
    sig.connect(recorder, "app", weak=False)
    try:
        assert len(sig.send("app")) == 1
    finally:
        sig.disconnect(recorder)


def test_connecting_again_changes_how_the_receiver_is_held(impl: ModuleType) -> None:
    """connect(r, weak=False) after connect(r) makes the connection strong, as in blinker."""
    sig = impl.Signal()
    recorder = Recorder()
    sig.connect(recorder)
    sig.connect(recorder, weak=False)
    probe = weakref.ref(recorder)
    del recorder
    gc.collect()
    try:
        assert probe() is not None
        assert len(sig.send("app")) == 1
        sig.connect(probe(), weak=True)  # and back to weak
    finally:
        gc.collect()
    assert probe() is None
    assert sig.send("app") == []


def test_non_callable_receivers_are_refused() -> None:
    """connect() refuses a non-callable receiver at once (blinker fails on send)."""
    with pytest.raises(ReceiverTypeError, match="not callable"):
        Signal().connect("not a function", weak=False)  # type: ignore[type-var]  # the point


def test_unweakrefable_receiver_needs_weak_false(impl: ModuleType) -> None:
    """A receiver that cannot be weakly referenced raises TypeError with weak=True."""
    sig = impl.Signal()
    with pytest.raises(TypeError):
        sig.connect(Unreferenceable())
    assert not sig.receivers


def test_disconnect_from_one_sender(impl: ModuleType) -> None:
    """disconnect(r, sender) removes that connection only; disconnect(r) removes all."""
    sig = impl.Signal()
    recorder = Recorder()
    sig.connect(recorder, "a", weak=False)
    sig.connect(recorder, "b", weak=False)
    sig.disconnect(recorder, "a")
    assert sig.send("a") == []
    assert len(sig.send("b")) == 1
    sig.disconnect(recorder)
    assert sig.send("b") == []


def test_connected_to_connects_for_the_block(impl: ModuleType) -> None:
    """connected_to() connects strongly for the block and yields None."""
    sig = impl.Signal()
    recorder = Recorder()
    with sig.connected_to(recorder, "app") as value:
        assert value is None
        sig.send("app")
        sig.send("other")
    sig.send("app")
    assert [sender for sender, _ in recorder.heard] == ["app"]
    assert not sig.receivers


# -- introspection -------------------------------------------------------------------


def test_receivers_view(impl: ModuleType) -> None:
    """receivers maps receiver ids to receivers (strong) or weak references (weak)."""
    sig = impl.Signal()
    strong, weak = Recorder(), Recorder()
    assert not sig.receivers
    sig.connect(strong, weak=False)
    sig.connect(weak)
    try:
        assert sig.receivers
        assert len(sig.receivers) == 2
        assert sig.receivers[make_id(strong)] is strong
        reference = sig.receivers[make_id(weak)]
        assert isinstance(reference, weakref.ref)
        assert reference() is weak
        assert set(sig.receivers) == {make_id(strong), make_id(weak)}
    finally:
        sig.disconnect(strong)
        sig.disconnect(weak)
    assert not sig.receivers


def test_receivers_clear_disconnects_everything(impl: ModuleType) -> None:
    """signal.receivers.clear() leaves nothing to call."""
    sig = impl.Signal()
    recorder = Recorder()
    sig.connect(recorder, weak=False)
    sig.connect(recorder, "app", weak=False)
    sig.receivers.clear()
    assert sig.send("app") == []
    assert not sig.receivers


def test_receivers_for_yields_live_receivers(impl: ModuleType) -> None:
    """receivers_for(sender) yields the receivers a send from sender would call."""
    sig = impl.Signal()
    on_any, on_app = Recorder(), Recorder()
    sig.connect(on_any, weak=False)
    sig.connect(on_app, "app", weak=False)
    try:
        assert inspect.isgenerator(sig.receivers_for("app"))
        assert {id(r) for r in sig.receivers_for("app")} == {id(on_any), id(on_app)}
        assert list(sig.receivers_for("other")) == [on_any]
        assert list(sig.receivers_for(impl.ANY)) == [on_any]
    finally:
        sig.disconnect(on_any)
        sig.disconnect(on_app)


def test_has_receivers_for(impl: ModuleType) -> None:
    """has_receivers_for() counts ANY receivers for every sender, others for theirs."""
    sig = impl.Signal()
    recorder = Recorder()
    assert not sig.has_receivers_for(None)
    sig.connect(recorder, "app", weak=False)
    assert sig.has_receivers_for("app")
    assert not sig.has_receivers_for("other")
    assert not sig.has_receivers_for(impl.ANY)
    sig.connect(recorder, weak=False)
    assert sig.has_receivers_for("other")
    assert sig.has_receivers_for(impl.ANY)
    sig.disconnect(recorder)


def test_bookkeeping_views_follow_blinker(impl: ModuleType) -> None:
    """_by_sender and _by_receiver keep emptied buckets until _cleanup_bookkeeping()."""
    sig = impl.Signal()
    first, second = Recorder(), Recorder()
    sig.connect(first, "app")
    sig.connect(second, "app")
    sig.connect(second)
    assert dict(sig._by_sender) == {"app": {id(first), id(second)}, 0: {id(second)}}
    assert dict(sig._by_receiver) == {id(first): {"app"}, id(second): {"app", 0}}
    sig.disconnect(first, "app")
    assert dict(sig._by_receiver)[id(first)] == set()
    sig.disconnect(second)
    assert all(not bucket for bucket in sig._by_sender.values())
    sig._cleanup_bookkeeping()
    assert (dict(sig._by_sender), dict(sig._by_receiver)) == ({}, {})


def test_weak_senders_view(impl: ModuleType) -> None:
    """_weak_senders maps the id of each weakly held sender to its weak reference."""
    sig = impl.Signal()
    recorder, owner = Recorder(), Recorder()
    sig.connect(recorder, owner, weak=False)
    try:
        (key, reference), *rest = sig._weak_senders.items()
        assert (key, reference(), rest) == (id(owner), owner, [])
    finally:
        sig.disconnect(recorder)


def test_clear_state_disconnects_silently(impl: ModuleType) -> None:
    """_clear_state() disconnects everything without sending receiver_disconnected."""
    sig = impl.Signal()
    recorder, watcher = Recorder(), Recorder()
    sig.receiver_disconnected.connect(watcher, weak=False)
    sig.connect(recorder, weak=False)
    sig.connect(recorder, "app", weak=False)
    try:
        sig._clear_state()
        assert sig.send("app") == []
        assert watcher.heard == []
    finally:
        sig.receiver_disconnected.disconnect(watcher)


def test_stale_buckets_are_bounded() -> None:
    """Emptied buckets kept for the views never pile up (blinker's grow without bound)."""
    sig = Signal()
    recorder = Recorder()
    for n in range(5000):
        sig.connect(recorder, n, weak=False)
        sig.disconnect(recorder, n)
    assert len(sig._by_sender) <= 1024


# -- meta signals ------------------------------------------------------------------


def test_meta_signals_report_connects_and_disconnects(impl: ModuleType) -> None:
    """receiver_connected and receiver_disconnected carry blinker's keyword arguments."""
    sig = impl.Signal()
    watcher, recorder = Recorder(), Recorder()
    sig.receiver_connected.connect(watcher, weak=False)
    sig.receiver_disconnected.connect(watcher, weak=False)
    try:
        sig.connect(recorder, "app")
        sig.connect(recorder, weak=False)
        sig.disconnect(recorder, "app")
        sig.disconnect(recorder)
    finally:
        sig.receiver_connected.disconnect(watcher)
        sig.receiver_disconnected.disconnect(watcher)
    assert watcher.heard == [
        (sig, {"receiver": recorder, "sender": "app", "weak": True}),
        (sig, {"receiver": recorder, "sender": impl.ANY, "weak": False}),
        (sig, {"receiver": recorder, "sender": "app"}),
        (sig, {"receiver": recorder, "sender": impl.ANY}),
    ]


def test_reconnecting_is_announced_again(impl: ModuleType) -> None:
    """Every connect() call is announced, even one that adds no connection."""
    sig = impl.Signal()
    watcher, recorder = Recorder(), Recorder()
    sig.receiver_connected.connect(watcher, weak=False)
    try:
        sig.connect(recorder, weak=False)
        sig.connect(recorder, weak=False)
    finally:
        sig.receiver_connected.disconnect(watcher)
        sig.disconnect(recorder)
    assert len(watcher.heard) == 2


def test_a_type_error_in_receiver_connected_undoes_the_connect(impl: ModuleType) -> None:
    """A receiver_connected receiver raising TypeError cancels the connection."""
    sig = impl.Signal()
    recorder = Recorder()

    def veto(*sent_by: object, **kwargs: object) -> None:
        raise TypeError("refused")

    sig.receiver_connected.connect(veto, weak=False)
    try:
        with pytest.raises(TypeError, match="refused"):
            sig.connect(recorder, weak=False)
    finally:
        sig.receiver_connected.disconnect(veto)
    assert sig.send("app") == []


def test_disconnecting_nothing_is_not_announced() -> None:
    """receiver_disconnected is sent only when a connection was removed (ours only)."""
    sig = Signal()
    watcher = Recorder()
    sig.receiver_disconnected.connect(watcher, weak=False)
    try:
        sig.disconnect(Recorder())
    finally:
        sig.receiver_disconnected.disconnect(watcher)
    assert watcher.heard == []


def test_connected_to_announces_with_its_sender() -> None:
    """Leaving connected_to(r, sender) announces the disconnect for that sender (ours only)."""
    sig = Signal()
    watcher, recorder = Recorder(), Recorder()
    sig.receiver_disconnected.connect(watcher, weak=False)
    try:
        with sig.connected_to(recorder, "app"):
            pass
    finally:
        sig.receiver_disconnected.disconnect(watcher)
    assert watcher.heard == [(sig, {"receiver": recorder, "sender": "app"})]


# -- named signals and namespaces -------------------------------------------------


def test_signal_doc(impl: ModuleType) -> None:
    """Signal(doc) sets the instance docstring."""
    assert impl.Signal("Sent when x.").__doc__ == "Sent when x."
    assert impl.Signal(doc="Sent when y.").__doc__ == "Sent when y."


def test_named_signal(impl: ModuleType) -> None:
    """A NamedSignal has its name, shown in its repr."""
    sig = impl.NamedSignal("squiznart", doc="A doc.")
    assert sig.name == "squiznart"
    assert "squiznart" in repr(sig)
    assert sig.__doc__ == "A doc."


def test_namespace_creates_each_signal_once(impl: ModuleType) -> None:
    """Namespace.signal(name) returns one NamedSignal per name; the namespace is a dict."""
    namespace = impl.Namespace()
    created = namespace.signal("user-created", "Doc.")
    assert namespace.signal("user-created") is created
    assert isinstance(created, impl.NamedSignal)
    assert dict(namespace) == {"user-created": created}
    assert created.__doc__ == "Doc."


def test_default_namespace_and_signal(impl: ModuleType) -> None:
    """signal(name) creates its signal in default_namespace."""
    sig = impl.signal("typedsignals-test-default")
    assert impl.default_namespace["typedsignals-test-default"] is sig


def test_namespace_signal_is_thread_safe() -> None:
    """Threads asking a namespace for the same new name all get one signal."""
    import threading

    namespace = Namespace()
    got: list[NamedSignal] = []
    barrier = threading.Barrier(8)

    def ask() -> None:
        barrier.wait()
        got.append(namespace.signal("raced"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(sig) for sig in got}) == 1


def test_public_module_paths() -> None:
    """Classes say typedsignals.blinker in their reprs."""
    assert Signal.__module__ == NamedSignal.__module__ == Namespace.__module__
    assert Signal.__module__ == "typedsignals.blinker"
