"""A small signal module for the catalog tests: every kind of field codegen must keep."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import Field

from typedsignals import Namespace, Payload, Signal


class Colour(str, Enum):
    """A colour an order can be wrapped in."""

    RED = "red"
    GREEN = "green"


class Address(Payload):
    """A postal address."""

    street: str = Field(description="Street and number.")
    city: str = Field(min_length=1, description="City name.")


class Sender:
    """The class every order signal is sent by."""


class OrderPlaced(Payload):
    """Payload of ``order-placed``."""

    order_id: int = Field(ge=1, description="The order's number.")
    total: float = Field(default=0.0, ge=0, description="Amount charged.")
    colour: Colour = Colour.RED
    ship_to: Address
    bill_to: Address | None = None
    note: Annotated[str | None, Field(max_length=200, description="Customer note.")] = None
    tags: list[str] = Field(default_factory=list, description="Free-form labels.")


class OrderCancelled(Payload):
    """Payload of ``order-cancelled``."""

    order_id: int
    reason: str = ""


order_placed = Signal(
    "order-placed",
    OrderPlaced,
    sender=Sender,
    doc="Sent after an order is stored.",
    error_policy="collect",
)

order_cancelled = Signal("order-cancelled", OrderCancelled, doc="Sent when an order is cancelled.")

shop = Namespace("shop")

shop_opened = shop.signal("shop-opened", doc="Sent when the shop opens.", concurrent=True)
shop.signal("shop-closed", strict=True)  # only reachable through the namespace


@order_placed.connect
def audit(sender: Sender, payload: OrderPlaced) -> None:
    """Record every order (the catalog lists it as a receiver)."""
