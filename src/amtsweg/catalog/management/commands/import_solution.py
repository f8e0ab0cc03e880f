"""``amtsweg import_solution FILE [--municipality AGS]``: import a solution package."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amtsweg.catalog.packages import MAX_PACKAGE_BYTES, PackageRefused, import_package
from amtsweg.tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "Import a solution package (.amtsweg.json) exported by another Amtsweg installation, "
        "keeping its provenance. Damaged, tampered and duplicate packages are refused."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The package file.")
        parser.add_argument(
            "--municipality",
            metavar="AGS",
            help="The municipality that looks after the solution here when its publisher is "
            "not a municipality of this installation.",
        )

    def handle(self, *args: Any, file: str, municipality: str | None, **options: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        importer = None
        if municipality:
            importer = Municipality.objects.filter(ags=municipality).first()
            if importer is None:
                raise CommandError(_("No municipality with AGS %(ags)s.") % {"ags": municipality})
        with path.open("rb") as stream:
            data = stream.read(MAX_PACKAGE_BYTES + 1)
        try:
            done = import_package(data, importer=importer)
        except PackageRefused as refused:
            raise CommandError(str(refused)) from None
        version = done.version
        self.stdout.write(
            self.style.SUCCESS(
                _("Version %(number)d of “%(name)s” imported (publisher here: %(publisher)s).")
                % {
                    "number": version.number,
                    "name": version.solution.name,
                    "publisher": version.solution.publisher,
                }
            )
        )
