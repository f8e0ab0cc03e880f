"""Recording that an e-mail went out, for the senders that send it with no transaction open.

A mail server may take seconds to answer (``EMAIL_TIMEOUT`` bounds it at 30). Sent inside a
transaction, the mail held that transaction's locks all that time: on SQLite, whose writers
hold the whole database from BEGIN on, every submit of every citizen waited for it, and a peak
with a slow mail server ended in "database is locked" (issue 9). So every sender reads its row,
renders the mail, sends it and only then records it with ``record_sent``, a conditional update
that a retried or concurrent run cannot repeat.

The price is the one every mail system pays somewhere: should the process die between sending
and recording, or two runs for the same mail overlap, the applicant gets the mail twice; a
record that finds the mail already recorded is logged. The deadline notice is the exception:
its day row is claimed before the mail (and removed if the mail fails), so a process that dies
in between loses that clerk's notice for the day rather than sending it twice.
"""

import logging
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def render_mail(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """Subject and body of a mail in ``language``, from ``<template>_subject.txt`` (one line)
    and ``<template>_body.txt``."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        return subject, render_to_string(f"{template}_body.txt", context)


def record_sent(unsent: QuerySet[Any], **changes: Any) -> bool:
    """Apply ``changes`` (the "sent at" column, …) to ``unsent``, the row filtered on that
    column still being empty; False, with a warning, when another run recorded it first
    (or the row is gone)."""
    if unsent.update(**changes):
        return True
    logger.warning("%s: sent, but recorded by another run or gone", unsent.model._meta.label)
    return False
