"""``amtsweg import_solution FILE --municipality AGS [--publish]``: import a solution package."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amtsweg.catalog.models import VersionStatus
from amtsweg.catalog.packages import MAX_PACKAGE_BYTES, PackageRefused, import_package
from amtsweg.tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "Import a solution package (.amtsweg.json) exported by another Amtsweg installation, "
        "keeping its provenance. The municipality named with --municipality becomes the "
        "publisher of the imported copy; the version goes into review (approved by a designer "
        "or admin of that municipality) unless --publish is given. A required update's "
        "deadline in the file is not taken over. Damaged, tampered and duplicate packages, "
        "and new versions of a solution another municipality imported, are refused."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The package file.")
        parser.add_argument(
            "--municipality",
            metavar="AGS",
            required=True,
            help="The municipality that publishes and looks after the solution here.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the imported version at once instead of sending it to review.",
        )

    def handle(
        self, *args: Any, file: str, municipality: str, publish: bool, **options: Any
    ) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        importer = Municipality.objects.filter(ags=municipality).first()
        if importer is None:
            raise CommandError(_("No municipality with AGS %(ags)s.") % {"ags": municipality})
        with path.open("rb") as stream:
            data = stream.read(MAX_PACKAGE_BYTES + 1)
        try:
            done = import_package(data, importer=importer, publish=publish)
        except PackageRefused as refused:
            raise CommandError(str(refused)) from None
        version = done.version
        values = {
            "number": version.number,
            "name": version.solution.name,
            "publisher": version.solution.publisher,
        }
        if version.status == VersionStatus.PUBLISHED:
            message = _(
                "Version %(number)d of “%(name)s” imported and published (publisher here: "
                "%(publisher)s)."
            )
        else:
            message = _(
                "Version %(number)d of “%(name)s” imported for review (publisher here: "
                "%(publisher)s)."
            )
        self.stdout.write(self.style.SUCCESS(message % values))
