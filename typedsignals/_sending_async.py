"""The asynchronous sends of a typed signal: a part of :class:`~typedsignals.Signal`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Generic, cast

from ._concurrent import call_async, outcome, settle_all
from ._observe import deliver_async
from ._receivers import describe
from ._typevars import M, P, S
from .exceptions import extra_positional

if TYPE_CHECKING:
    from ._signal import ErrorPolicy, Signal

__all__ = ["AsyncSends"]

_logger: Final = logging.getLogger("typedsignals")


class AsyncSends(Generic[S, P, M]):
    """``send_async`` and ``send_async_payload``; :class:`Signal` inherits them."""

    async def send_async(
        self, sender: S, /, *args: P.args, **fields: P.kwargs
    ) -> list[tuple[Callable[[S, M], Any], Any]]:
        """Like :meth:`send`, awaiting coroutine receivers; sync receivers are called.

        Receivers run one after another unless the signal was declared with
        ``concurrent=True`` (see :meth:`send_async_payload` to choose per call).
        """
        this = cast("Signal[S, P, M]", self)  # the class this is a part of
        if args:
            raise extra_positional(this.name, "send_async", len(args))
        sender = this._vet_sender(sender)
        items, flags = this._dispatch_for(sender)
        if not items or this._mute_depth:
            if this._validate_always:  # strict mode: validate even unheard sends
                this._payload_from(fields)
            return []
        payload = this._payload_from(fields)
        return await this._deliver_async(
            sender, payload, items, flags, this.concurrent, this._policy
        )

    async def send_async_payload(
        self,
        sender: S,
        payload: M,
        /,
        *,
        concurrent: bool | None = None,
        error_policy: ErrorPolicy | None = None,
    ) -> list[tuple[Callable[[S, M], Any], Any]]:
        """Send a prebuilt payload asynchronously.

        Args:
            sender: The sender.
            payload: An instance of the signal's model.
            concurrent: Run coroutine receivers concurrently; the default is the
                signal's ``concurrent`` setting.
            error_policy: Use this error policy for this send instead of the signal's.
        """
        this = cast("Signal[S, P, M]", self)  # the class this is a part of
        payload = this._prebuilt(payload)
        sender = this._vet_sender(sender)
        policy = this._resolve_policy(error_policy)
        items, flags = this._dispatch_for(sender)
        if not items or this._mute_depth:
            return []
        run_concurrently = this.concurrent if concurrent is None else concurrent
        return await this._deliver_async(sender, payload, items, flags, run_concurrently, policy)

    async def _deliver_async(
        self,
        sender: object,
        payload: object,
        items: tuple[Any, ...],
        flags: int,
        concurrent: bool,
        policy: ErrorPolicy,
        observed: bool = False,
        measured: bool = False,
    ) -> list[tuple[Any, Any]]:
        this = cast("Signal[S, P, M]", self)  # the class this is a part of
        extras = this._extras
        if extras.chain is not None and not observed:
            return await deliver_async(
                this, extras.chain, sender, payload, items, flags, concurrent, policy
            )
        if extras.meter is not None and not measured:  # calls back with timed receivers
            return await extras.meter.deliver_async(
                this, sender, payload, items, concurrent, policy
            )
        results: list[tuple[Any, Any]] = []
        failures: list[tuple[Callable[..., Any], Exception]] = []
        if concurrent:
            receivers = [r for r in map(this._resolve, items) if r is not None]
            outcomes = await settle_all([outcome(r, sender, payload) for r in receivers])
            for receiver, (ok, value) in zip(receivers, outcomes):
                if ok:
                    results.append((receiver, value))
                else:
                    this._record_failure(receiver, value, failures, policy)
        else:
            for item in items:
                # Resolved just before its turn: an owner that died during the send
                # (in an earlier receiver's await) is not called.
                live = this._resolve(item)
                if live is None:
                    continue
                receiver = live
                if policy == "raise":
                    results.append((receiver, await call_async(receiver, sender, payload)))
                    continue
                ok, value = await outcome(receiver, sender, payload)
                if ok:
                    results.append((receiver, value))
                else:
                    this._record_failure(receiver, value, failures, policy)
        if this._dead:
            this._purge_soon()
        if failures and policy == "raise":
            # Only concurrent sends get here: every receiver ran. The first failure in
            # receiver order propagates; the others must not vanish silently.
            for receiver, exc in failures[1:]:
                _logger.error(
                    "receiver %s of signal %r also raised %s (the first failure propagates)",
                    describe(receiver),
                    this.name,
                    type(exc).__name__,
                    exc_info=exc,
                )
            raise failures[0][1]
        if failures:
            this._raise_collected(failures)
        return results
