"""``amtsweg worker``: run the background task worker.

Jobs (PDFs, e-mail, deliveries to other systems) are rows in the database, written in the same
transaction as the change that caused them; this command picks them up. It is a thin front to
django-tasks-db's ``db_worker`` so that operators have one name to remember, and so that the
worker does *not* auto-reload by default: a reload stops a running task abruptly, which is never
what a production worker wants and rarely what a developer wants either.

Every worker also runs the scheduler of periodic tasks in a background thread
(``amtsweg.scheduling``; docs/adr/0002-periodic-tasks.md): wherever jobs are processed, due
periodic jobs are enqueued too. Running many is safe, each run is enqueued exactly once.

Run as many workers as the queue needs; on PostgreSQL they may run on several machines.
"""

import argparse
import math
import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

from amtsweg.scheduling.runner import SchedulerThread
from amtsweg.scheduling.services import enqueue_due_jobs

#: How long a stopping worker waits for a scheduler round in progress to finish.
SCHEDULER_STOP_TIMEOUT = 30.0


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
        parser.add_argument(
            "--schedule-interval",
            type=_interval,
            default=30.0,
            help="Seconds between two checks for due periodic jobs (default: %(default)s).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Do not enqueue periodic jobs from this worker.",
        )

    def handle(
        self,
        *args: Any,
        queue_name: str,
        interval: float,
        batch: bool,
        reload: bool,
        schedule_interval: float,
        scheduler: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        thread: SchedulerThread | None = None
        if scheduler and batch:
            # A cron-style run: enqueue what is due, then process it with everything else.
            enqueue_due_jobs()
        elif scheduler and (not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"):
            # With --reload this command runs twice: in a watching parent and in the child
            # that does the work. Only the child schedules.
            thread = SchedulerThread(max(schedule_interval, 1.0))
            thread.start()
        try:
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
        finally:
            # Also on the SystemExit with which db_worker answers SIGINT/SIGTERM.
            if thread is not None:
                thread.stop(SCHEDULER_STOP_TIMEOUT)
