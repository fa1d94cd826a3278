"""Delivery of a rendered pack: ``salesnb send`` (e-mail) and PDF copies of the reports."""

from __future__ import annotations

__all__ = ["send_pack", "plan_deliveries", "check_message"]


def __getattr__(name):  # lazy: `import salesnb.delivery` costs nothing until used
    if name in ("send_pack", "check_message"):
        from . import mail
        return getattr(mail, name)
    if name == "plan_deliveries":
        from .recipients import plan_deliveries
        return plan_deliveries
    raise AttributeError(name)
