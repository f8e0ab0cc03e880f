"""``amtsweg export_form_schema SOLUTION_UUID VERSION``: the JSON Schema of a form's data.

For the operators of a receiving system (a specialist procedure, a data warehouse): it prints
the JSON Schema 2020-12 of the answers one solution version produces, with a ``$id`` naming
that solution and version, so the receiver can check and map what it gets. Drafts are exported
too, so a receiver can prepare before a version is published.
"""

import json
import uuid
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from amtsweg.catalog.models import SolutionVersion
from amtsweg.forms.export import ExportError, data_schema


class Command(BaseCommand):
    help = (
        "Print the JSON Schema (2020-12) of the data a solution version's form produces. "
        "Usage: amtsweg export_form_schema SOLUTION_UUID VERSION"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("solution", help="The solution's UUID.")
        parser.add_argument("version", type=int, help="The version number, e.g. 1.")

    def handle(self, *args: Any, solution: str, version: int, **options: Any) -> None:
        try:
            solution_uuid = uuid.UUID(str(solution))
        except ValueError:
            raise CommandError(f"{solution!r} is not a UUID.") from None
        found = (
            SolutionVersion.objects.select_related("solution")
            .filter(solution__uuid=solution_uuid, number=version)
            .first()
        )
        if found is None:
            raise CommandError(f"Solution {solution_uuid} has no version {version}.")
        try:
            schema = data_schema(
                found.form_definition,
                solution_uuid=solution_uuid,
                version=version,
                title=found.solution.name,
            )
        except ExportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2))
