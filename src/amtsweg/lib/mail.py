"""Recording that an e-mail went out, for the senders that send it with no transaction open.

A mail server may take seconds to answer (``EMAIL_TIMEOUT`` bounds it at 30). Sent inside a
transaction, the mail held that transaction's locks all that time: on SQLite, whose writers
hold the whole database from BEGIN on, every submit of every citizen waited for it, and a peak
with a slow mail server ended in "database is locked" (issue 9). So every sender reads its row,
renders the mail (``render_mail``; ``render_staff_mail`` for clerks, who have no language of
their own), sends it and only then records it with ``record_sent``, a conditional update that
a retried or concurrent run cannot repeat.

The price is the one every mail system pays somewhere: should the process die between sending
and recording, or two runs for the same mail overlap, the applicant gets the mail twice; a
record that finds the mail already recorded is logged. The deadline notice is the exception:
its day row is claimed before the mail (and removed if the mail fails), so a process that dies
in between loses that clerk's notice for the day rather than sending it twice.
"""

import logging
from datetime import datetime
from typing import Any

from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def render_mail(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """Subject and body of a mail in ``language``, from ``<template>_subject.txt`` (one line)
    and ``<template>_body.txt``."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        return subject, render_to_string(f"{template}_body.txt", context)


def render_staff_mail(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body in German and English, one after the other: staff accounts have no
    language of their own."""
    subjects, bodies = [], []
    for language in ("de", "en"):
        subject, body = render_mail(template, context, language)
        subjects.append(subject)
        bodies.append(body.strip())
    return " / ".join(subjects), "\n\n----\n\n".join(bodies) + "\n"


def record_sent(sent: Model, field: str, when: datetime, **also: Any) -> bool:
    """Set ``field`` (its "sent at" column) of ``sent``'s row to ``when``, with ``also``, if
    it is still empty; False, with a warning, when another run recorded it first (or the row
    is gone)."""
    unsent = type(sent)._default_manager.filter(pk=sent.pk, **{f"{field}__isnull": True})
    if unsent.update(**{field: when}, **also):
        return True
    logger.warning("%s: sent, but recorded by another run or gone", sent._meta.label)
    return False
