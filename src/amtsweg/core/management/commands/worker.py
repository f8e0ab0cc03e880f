"""``amtsweg worker``: run the background task worker.

Jobs (PDFs, e-mail, deliveries to other systems) are rows in the database, written in the same
transaction as the change that caused them; this command picks them up. It is a thin front to
django-tasks-db's ``db_worker`` so that operators have one name to remember, and so that the
worker does *not* auto-reload by default: a reload stops a running task abruptly, which is never
what a production worker wants and rarely what a developer wants either.

Run as many workers as the queue needs; on PostgreSQL they may run on several machines.
"""

import argparse
import math
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def _interval(value: str) -> float:
    """Parse ``--interval`` as a finite, non-negative number of seconds."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise argparse.ArgumentTypeError("must be zero or a positive number of seconds")
    return seconds


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks-db), until stopped with Ctrl+C/SIGTERM."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue-name",
            default="default",
            help="Queues to process, separated by commas; '*' for all (default: %(default)s).",
        )
        parser.add_argument(
            "--interval",
            type=_interval,
            default=1.0,
            help="Seconds to wait before polling again when the queue is empty "
            "(default: %(default)s).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Process all outstanding tasks, then exit (for cron jobs and tests).",
        )
        parser.add_argument(
            "--reload",
            action=argparse.BooleanOptionalAction,
            default=False,
            help="Restart on code changes; interrupts running tasks, development only "
            "(default: off).",
        )

    def handle(
        self,
        *args: Any,
        queue_name: str,
        interval: float,
        batch: bool,
        reload: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        call_command(
            "db_worker",
            queue_name=queue_name,
            interval=interval,
            batch=batch,
            reload=reload,
            verbosity=verbosity,
            stdout=self.stdout,
            stderr=self.stderr,
        )
