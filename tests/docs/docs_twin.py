"""A second module declaring a signal called ``invoice-paid``: a name two signals share."""

from __future__ import annotations

from typedsignals import Signal

invoice_paid = Signal("invoice-paid", doc="The twin: same name, another module.")
