"""The daily deadline notice: one e-mail per clerk with the reference numbers of their cases
that are due within ``NOTICE_DAYS`` or overdue.

Assigned cases go to their assignee; unassigned ones to every clerk and admin of the
municipality whose inbox holds them, since nobody else would notice them. The mail carries
reference numbers only (no names, no content: e-mail is not a safe channel for personal
data), in German and English, since staff accounts have no language of their own. A
``DeadlineNotice`` row per clerk and day, written just before the mail is sent (and removed
again if it fails), makes a second run on the same day send nothing.
"""

import logging
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from amtsweg.cases.deadlines import NOTICE_DAYS
from amtsweg.cases.models import Case, DeadlineNotice
from amtsweg.lib.mail import render_staff_mail
from amtsweg.tenants.models import Membership
from amtsweg.tenants.services import CASE_WORKING_ROLES

logger = logging.getLogger(__name__)


def _lists_per_clerk(today: date) -> dict[int, dict[str, list[str]]]:
    rows = list(
        Case.objects.open()
        .filter(suspended_at__isnull=True, deadline__lte=today + timedelta(days=NOTICE_DAYS))
        .order_by("deadline", "submission__reference_number")
        .values_list("municipality_id", "assignee_id", "submission__reference_number", "deadline")
    )
    unassigned_in = {municipality for municipality, assignee, *_ in rows if assignee is None}
    members: dict[int, list[int]] = defaultdict(list)
    for municipality, user in Membership.objects.filter(
        municipality_id__in=unassigned_in, role__in=CASE_WORKING_ROLES, user__is_active=True
    ).values_list("municipality_id", "user_id"):
        members[municipality].append(user)
    lists: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"due": [], "overdue": []})
    for municipality, assignee, reference, deadline in rows:
        kind = "overdue" if deadline < today else "due"
        for user in [assignee] if assignee else sorted(set(members[municipality])):
            if reference not in lists[user][kind]:
                lists[user][kind].append(reference)
    return lists


def send_deadline_notices(today: date) -> dict[str, Any]:
    lists = _lists_per_clerk(today)
    already = set(
        DeadlineNotice.objects.filter(sent_on=today, recipient_id__in=list(lists)).values_list(
            "recipient_id", flat=True
        )
    )
    users = get_user_model().objects.in_bulk([pk for pk in lists if pk not in already])
    sent = failed = 0
    for pk, user in sorted(users.items()):
        if not user.email:
            continue
        references = lists[pk]
        context = {"user": user, "today": today, **references}
        subject, body = render_staff_mail("cases/email/deadline", context)
        try:  # the day's row is the claim: another run that made it first sends the notice
            with transaction.atomic():
                notice = DeadlineNotice.objects.create(recipient=user, sent_on=today, **references)
        except IntegrityError:
            continue
        try:  # with no transaction open (lib.mail)
            send_mail(subject, body, None, [user.email])
        except Exception as error:
            notice.delete()  # not sent: a later run today tries again
            if not isinstance(error, OSError):
                raise
            logger.exception("Deadline notice to user %s could not be sent", pk)
            failed += 1
            continue
        sent += 1
    return {"day": today.isoformat(), "sent": sent, "skipped": len(already), "failed": failed}
