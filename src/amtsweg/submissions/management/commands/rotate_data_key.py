"""``amtsweg rotate_data_key``: re-wrap every encrypted submission with the current data key."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from amtsweg.lib import crypto
from amtsweg.submissions.models import Submission


class Command(BaseCommand):
    help = (
        "Re-wrap the data keys of all encrypted submission data with the current key "
        "(AMTSWEG_DATA_KEY), so that the keys in AMTSWEG_DATA_KEYS_OLD can be retired. Only "
        "the small wrapped keys change; rows already on the current key are left alone, so "
        "the command can be stopped and run again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows per transaction (default 500)."
        )

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        field = Submission._meta.get_field("data")
        current = crypto.keyring().current_id
        last, seen, rewrapped = 0, 0, 0
        total = Submission.objects.count()
        while True:
            with transaction.atomic():
                # The sealed text as stored (a cast keeps the field from opening it), locked
                # so that a concurrent save is not overwritten with the old answers.
                batch = list(
                    Submission.objects.select_for_update()
                    .filter(pk__gt=last)
                    .order_by("pk")
                    .values_list("pk", Cast("data", TextField()))[:batch_size]
                )
                for pk, token in batch:
                    try:
                        if token is None or crypto.key_id_of(token) == current:
                            continue
                        new = crypto.rewrap(token, field.context)
                    except crypto.DecryptionError as error:
                        raise CommandError(f"Submission {pk}: {error}") from None
                    Submission.objects.filter(pk=pk).update(data=Value(new, TextField()))
                    rewrapped += 1
            if not batch:
                break
            last = batch[-1][0]
            seen += len(batch)
            self.stdout.write(
                _("%(seen)d of %(total)d submissions checked, %(rewrapped)d re-wrapped")
                % {"seen": seen, "total": total, "rewrapped": rewrapped}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Done: %(rewrapped)d submissions re-wrapped with data key %(key)s.")
                % {"rewrapped": rewrapped, "key": current}
            )
        )
