"""The sentence of each kind of notification, written when it is read (page, bell, e-mail) in the reader's
language: the row keeps only the subject's name and the reason."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.notifications.models import Kind, Notification

EXERCISE_SOON_DAYS = 7
# An evidence file is renewed every year (document date, else upload date): its uploader is told a month before.
EVIDENCE_VALIDITY_DAYS = 365
EVIDENCE_WARNING_DAYS = 30

SENTENCES: dict[str, Promise] = {
    Kind.PLAN_SUBMITTED: _("The plan « %(subject)s » was submitted for your approval."),
    Kind.PLAN_APPROVED: _("The plan « %(subject)s » was approved."),
    Kind.PLAN_RETURNED: _("The plan « %(subject)s » was returned to its authors."),
    Kind.BIA_SUBMITTED: _("The BIA of « %(subject)s » was submitted for validation."),
    Kind.BIA_VALIDATED: _("The BIA of « %(subject)s » was validated."),
    Kind.BIA_SENT_BACK: _("The BIA of « %(subject)s » was sent back to you for changes."),
    Kind.ACTION_ASSIGNED: _("The action « %(subject)s » is assigned to you."),
    Kind.ACTION_OVERDUE: _("The action « %(subject)s » is overdue."),
    Kind.EXERCISE_SOON: _("The exercise « %(subject)s » starts within a week."),
    Kind.EVIDENCE_EXPIRING: _("The evidence file « %(subject)s » will be one year old within a month: renew it."),
    Kind.CAMPAIGN_REMINDER: _("Reminder: the BIA of « %(subject)s » is awaited."),
}


def sentence(notification: Notification) -> str:
    return str(SENTENCES.get(notification.kind, "%(subject)s")) % {"subject": notification.subject_label}
