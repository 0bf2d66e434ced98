"""Signals the docs tests document: fields of every kind, receivers, a namespace."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from typedsignals import Namespace, Payload, Signal


class Invoice:
    """The class every billing signal is sent by."""

    def __init__(self, number: str) -> None:
        self.number = number

    def __repr__(self) -> str:
        return f"Invoice({self.number!r})"


FIRST_INVOICE = Invoice("INV-1")
"""The sender one receiver is connected for (a sender filter)."""


class InvoicePaid(Payload):
    """Payload of ``invoice-paid``."""

    invoice_id: int = Field(ge=1, description="The invoice's number.")
    amount: float = Field(default=0.0, ge=0, description="Amount paid, in ``EUR``.")
    method: Literal["card", "transfer"] = "card"
    reference: Annotated[str | None, Field(max_length=40, pattern=r"^[A-Z]+$")] = None
    tags: list[str] = Field(default_factory=list, description="Free-form labels | tags.")


invoice_paid = Signal(
    "invoice-paid",
    InvoicePaid,
    sender=Invoice,
    doc="Sent after an invoice is paid in full.",
    error_policy="collect",
)
"""Sent after an invoice is paid in full."""

billing = Namespace("billing")

invoice_voided = billing.signal("invoice-voided", doc="Sent when an invoice is voided.")
billing.signal("ledger-closed", strict=True, doc="Sent when the ledger closes for the month.")


@invoice_paid.connect
def notify_accounting(sender: Invoice, payload: InvoicePaid) -> None:
    """Tell accounting (listed in the sender-receiver map)."""


@invoice_paid.connect_via(FIRST_INVOICE, priority=10)
def audit_first_invoice(sender: Invoice, payload: InvoicePaid) -> None:
    """Audit the payment of the first invoice only (a sender filter)."""
