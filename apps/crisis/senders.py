"""Who tells the crisis cell: a small pluggable sender interface.

E-mail is the default and always on. An SMS gateway is plugged in by setting ``CRISIS_SMS_SENDER`` to the dotted
path of a class implementing ``Sender`` (``channel = "sms"``, ``send(recipient, subject, body) -> bool``); without
one the pages say « e-mail only ». Senders run in the worker (``apps.crisis.tasks``), never in a request. The
in-app notifications app may later register itself the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str = ""
    phone: str = ""


class Sender(Protocol):
    channel: str

    def send(self, recipient: Recipient, subject: str, body: str) -> bool:
        """Send one message; False when this recipient cannot be reached on this channel."""


class EmailSender:
    channel = "email"

    def send(self, recipient: Recipient, subject: str, body: str) -> bool:
        if not recipient.email:
            return False
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
        return True


def sms_sender() -> Sender | None:
    path = getattr(settings, "CRISIS_SMS_SENDER", "")
    return import_string(path)() if path else None


def senders() -> list[Sender]:
    """E-mail, then SMS when configured."""
    result: list[Sender] = [EmailSender()]
    sms = sms_sender()
    if sms is not None:
        result.append(sms)
    return result


def sms_configured() -> bool:
    return bool(getattr(settings, "CRISIS_SMS_SENDER", ""))
