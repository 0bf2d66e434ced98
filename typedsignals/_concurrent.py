"""Awaiting receivers: one at a time or concurrently (``Signal.send_async``)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["call_async", "outcome", "settle_all"]


async def call_async(receiver: Callable[..., Any], sender: object, payload: object) -> Any:
    result = receiver(sender, payload)
    if inspect.isawaitable(result):
        return await result
    return result


async def outcome(
    receiver: Callable[..., Any], sender: object, payload: object
) -> tuple[bool, Any]:
    """``(True, result)`` or ``(False, exception)``: a receiver's own return value is
    never mistaken for a failure."""
    try:
        return True, await call_async(receiver, sender, payload)
    except Exception as exc:
        return False, exc


async def settle_all(calls: list[Awaitable[tuple[bool, Any]]]) -> list[tuple[bool, Any]]:
    """Run ``calls`` concurrently and return their outcomes once every one has ended.

    Unlike a bare ``asyncio.gather``, it never returns or raises while some call still
    runs: a receiver that raises ``CancelledError`` (or another ``BaseException``) lets
    the others finish, then propagates; if the send itself is cancelled, every call is
    cancelled and awaited before the cancellation propagates.
    """
    if not calls:
        return []
    import asyncio  # here, not at the top: it costs ~15 ms to import

    tasks = [asyncio.ensure_future(call) for call in calls]
    try:
        await asyncio.wait(tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        raise
    for task in tasks:
        if task.cancelled():
            raise asyncio.CancelledError("a receiver of a concurrent send was cancelled")
        interrupt = task.exception()
        if interrupt is not None:  # a BaseException: outcome catches the rest
            raise interrupt
    return [task.result() for task in tasks]
