"""``amtsweg demo [--if-empty]``: load the demo installation and print its staff log-ins."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from amtsweg.demo.services import StaffLogin, database_has_municipalities, load_demo
from amtsweg.tenants.models import Role


class Command(BaseCommand):
    help = (
        "Load the demo data (IKZ Modellregion Darmstadt: six municipalities, three services, "
        "offerings, staff accounts, demo applications). Safe to run again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds a municipality.",
        )

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        if if_empty and database_has_municipalities():
            self.stdout.write(
                _("The database already holds municipalities; the demo data was not loaded.")
            )
            return
        summary = load_demo(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data loaded: %(users)d new accounts, %(submissions)d new applications.")
                % {"users": summary.users_created, "submissions": summary.submissions_created}
            )
        )
        self.stdout.write(login_table(summary.logins))
        if summary.users_created < len(summary.logins):
            self.stdout.write(
                _("Accounts that existed before were left unchanged, including their passwords.")
            )


def login_table(logins: list[StaffLogin]) -> str:
    """The staff log-ins as a plain-text table with aligned columns."""
    header = (_("Username"), _("Password"), _("Municipality"), _("Role"))
    rows = [header] + [
        (
            login.username,
            login.password,
            login.municipality,
            str(Role(login.role).label) if login.role in Role.values else _("operator"),
        )
        for login in logins
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)
