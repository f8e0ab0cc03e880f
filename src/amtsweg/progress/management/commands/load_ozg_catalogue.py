"""``amtsweg load_ozg_catalogue [FILE...]``: load the OZG catalogue (the shipped one without
files), with a progress bar on standard error."""

import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amtsweg.progress.catalogue import (
    SHIPPED_CATALOGUE,
    CatalogueError,
    load_catalogue,
    read_catalogue,
)


class ProgressBar:
    """A one-line text progress bar, redrawn in place with a carriage return; written only to
    a terminal, so logs and pipes get no control characters."""

    WIDTH = 30

    def __init__(self, total: int, label: str, stream: TextIO) -> None:
        self.total, self.label, self.stream = max(total, 1), label, stream
        self.done = 0
        self.enabled = stream.isatty()

    def advance(self, count: int) -> None:
        self.done = min(self.total, self.done + count)
        if self.enabled:
            filled = self.WIDTH * self.done // self.total
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            percent = 100 * self.done // self.total
            self.stream.write(f"\r{self.label} [{bar}] {percent:3d} % ({self.done}/{self.total})")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Load the OZG catalogue (OZG-Leistungen with Themenfeld, Lebenslage and LeiKa keys) "
        "from CSV files, or the catalogue Amtsweg ships when no file is given. Safe to run "
        "again; services a newer catalogue no longer lists are marked withdrawn, their "
        "progress is kept."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, metavar="FILE")

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        started = time.monotonic()
        paths = files or [SHIPPED_CATALOGUE]
        try:
            catalogue = [read_catalogue(path) for path in paths]
            # Reading counts once, writing the services and their keys once each.
            total = 3 * sum(len(file.rows) for file in catalogue)
            # The wrapped stream itself: OutputWrapper.write would end every redraw with "\n".
            bar = ProgressBar(total, _("Loading"), getattr(self.stderr, "_out", sys.stderr))
            bar.advance(total // 3)
            try:
                report = load_catalogue(catalogue, on_progress=bar.advance)
            finally:
                bar.close()
        except CatalogueError as error:
            raise CommandError(_("Nothing was loaded. %(reason)s") % {"reason": error}) from error
        load = report.load
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "OZG catalogue loaded in %(seconds).2f s: %(added)d added, %(changed)d "
                    "changed, %(unchanged)d unchanged, %(reinstated)d listed again, "
                    "%(withdrawn)d withdrawn; %(filled)d catalogue services updated."
                )
                % {
                    "seconds": time.monotonic() - started,
                    "added": load.added,
                    "changed": load.changed,
                    "unchanged": load.unchanged,
                    "reinstated": load.reinstated,
                    "withdrawn": load.withdrawn,
                    "filled": report.services_filled,
                }
            )
        )
        for ozg_id, name, kept in report.withdrawn:
            self.stdout.write(
                _(
                    "Withdrawn (no longer in the catalogue): %(ozg_id)s %(name)s, "
                    "%(kept)d progress records kept."
                )
                % {"ozg_id": ozg_id, "name": name, "kept": kept}
            )
