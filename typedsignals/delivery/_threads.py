"""The embedded default: deferred receivers on a bounded in-process thread pool."""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import weakref
from concurrent.futures import Future
from typing import Any, Final, Literal

from . import _carriers
from ._protocol import DeferredCall, Delivery, DeliveryError, receiver_path

__all__ = ["QueueFullError", "ThreadPoolDelivery", "WhenFull"]

WhenFull = Literal["block", "raise", "run"]
"""What ``submit`` does when the queue is full: wait for room (optionally up to
``block_timeout``, then raise), raise :class:`QueueFullError` at once, or run the call in
the sender's thread."""

_logger: Final = logging.getLogger("typedsignals")
_STOP: Final = object()
_live: weakref.WeakSet[ThreadPoolDelivery] = weakref.WeakSet()


class QueueFullError(DeliveryError):
    """The thread pool's queue is full and its policy is not to wait (or it waited)."""


class ThreadPoolDelivery(Delivery):
    """Run deferred receivers on worker threads of this process.

    Nothing to install or start: the threads start on the first deferred call. The
    queue is bounded (``max_queued``); when it is full, ``when_full`` decides (see
    :data:`WhenFull`). Each call's handle is a :class:`concurrent.futures.Future` with the
    receiver's result or exception. A receiver's exception is also logged on the
    ``typedsignals`` logger with the signal and the receiver.

    ``shutdown(wait=True)``, and interpreter exit, run what was accepted before
    returning; ``shutdown(cancel_pending=True)`` drops what has not started, and logs
    each call dropped: a call is never lost silently.

    Args:
        max_workers: Worker threads (at least 1).
        max_queued: Calls accepted but not started, at most (at least 1).
        when_full: The policy for a full queue.
        block_timeout: With ``when_full="block"``, wait at most this many seconds.
        name: Prefix of the worker threads' names.
    """

    def __init__(
        self,
        max_workers: int = 4,
        max_queued: int = 1000,
        *,
        when_full: WhenFull = "block",
        block_timeout: float | None = None,
        name: str = "typedsignals-delivery",
    ) -> None:
        if max_workers < 1 or max_queued < 1:
            raise ValueError("max_workers and max_queued must be at least 1")
        if when_full not in ("block", "raise", "run"):
            raise ValueError(f"when_full must be 'block', 'raise' or 'run', not {when_full!r}")
        self.max_workers = max_workers
        self.max_queued = max_queued
        self.when_full = when_full
        self.block_timeout = block_timeout
        self.name = name
        # The bound is a counter beside a C-implemented SimpleQueue rather than a
        # queue.Queue: Queue.put takes a Python-level Condition on every call, which cost
        # a third of a deferred call's enqueue (benchmarks/delivery.py, 1.75x -> see
        # CHANGELOG). `_pending` counts calls accepted and not yet taken by a worker; it
        # is guarded by `_room`, which senders wait on (policy "block") when it is full.
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._room = threading.Condition(threading.Lock())
        self._pending = 0
        self._waiting = 0
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False
        _live.add(self)

    def __repr__(self) -> str:
        return f"ThreadPoolDelivery(max_workers={self.max_workers}, max_queued={self.max_queued})"

    def submit(self, call: DeferredCall) -> Future[Any]:
        """Queue ``call`` for a worker thread; return its future.

        Raises:
            QueueFullError: The queue is full and the policy is ``"raise"``, or
                ``"block"`` with a ``block_timeout`` that passed.
            DeliveryError: The delivery was shut down.
        """
        if self._closed:
            raise self._closed_error(call)
        future: Future[Any] = Future()
        if len(self._threads) < self.max_workers:
            self._start_worker()
        # The context carriers' headers (the trace context), taken here, in the sender's
        # thread, and restored around the call on the pool thread.
        headers = _carriers.headers_for(call) if _carriers.installed else None
        if not self._reserve(call):
            if self.when_full == "run":
                _run(call, future, headers)
                return future
            raise QueueFullError(
                f"signal {call.signal.name!r}: cannot defer {receiver_path(call.receiver)}: "
                f"the queue of {self!r} is full"
            )
        self._queue.put((call, future, headers))
        return future

    def _closed_error(self, call: DeferredCall) -> DeliveryError:
        return DeliveryError(
            f"signal {call.signal.name!r}: cannot defer {receiver_path(call.receiver)}: "
            f"{self!r} was shut down"
        )

    def _reserve(self, call: DeferredCall) -> bool:
        """Take a place in the queue; False when full (after waiting, for "block").

        Raises:
            DeliveryError: The pool was shut down while this sender waited for room.
        """
        room = self._room
        with room:
            if self._pending < self.max_queued:
                self._pending += 1
                return True
            if self.when_full != "block":
                return False
            self._waiting += 1
            try:
                if not room.wait_for(self._has_room, self.block_timeout):
                    return False
            finally:
                self._waiting -= 1
            if self._closed:
                raise self._closed_error(call)
            self._pending += 1
            return True

    def _has_room(self) -> bool:
        return self._pending < self.max_queued

    def _taken(self) -> None:
        """A queued call left the queue: free its place, waking a waiting sender."""
        with self._room:
            self._pending -= 1
            if self._waiting:
                self._room.notify()

    def shutdown(self, wait: bool = True, *, cancel_pending: bool = False) -> None:
        """Stop accepting calls; with ``wait``, return once the accepted ones ran.

        Args:
            wait: Wait for the worker threads to finish.
            cancel_pending: Drop the calls not yet started (each is logged and its
                future cancelled) instead of running them.
        """
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        if cancel_pending:
            self._drop_pending()
        for _ in threads:
            self._queue.put(_STOP)
        if wait:
            for thread in threads:
                thread.join()
        if wait or not threads:
            # Nothing will ever run what is left: calls accepted while this shut down
            # (a sender that passed the `_closed` check just before), or every call when
            # no worker ever started. Each is logged and cancelled.
            self._drop_pending()

    def _start_worker(self) -> None:
        with self._lock:
            if len(self._threads) >= self.max_workers or self._closed:
                return
            thread = threading.Thread(
                target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
        thread.start()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            self._taken()
            call, future, headers = item
            _run(call, future, headers)

    def _drop_pending(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is _STOP:
                continue
            self._taken()
            call, future, _ = item
            future.cancel()
            _logger.error(
                "signal %r: deferred call of %s (id %s) dropped: %r shut down before it ran",
                call.signal.name,
                receiver_path(call.receiver),
                call.id,
                self,
            )


def _run(call: DeferredCall, future: Future[Any], headers: dict[str, str] | None) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        if headers is None:
            result = call.run()
        else:
            result = _carriers.run_with(headers, call.signal, call.receiver, call.run)
    except BaseException as exc:
        _logger.error(
            "signal %r: deferred receiver %s failed (call id %s)",
            call.signal.name,
            receiver_path(call.receiver),
            call.id,
            exc_info=exc,
        )
        future.set_exception(exc)
        if not isinstance(exc, Exception):
            raise
    else:
        future.set_result(result)


@atexit.register
def _drain_at_exit() -> None:
    """Interpreter exit runs what every live pool accepted (docs/delivery.md)."""
    for delivery in list(_live):
        delivery.shutdown(wait=True)
