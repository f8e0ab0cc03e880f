"""Loading the OZG catalogue: the shipped file, again, a newer file over it, and bad files."""

import csv
import io
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from amtsweg.audit.models import AuditEvent
from amtsweg.progress.catalogue import SHIPPED_CATALOGUE
from amtsweg.progress.management.commands.load_ozg_catalogue import ProgressBar
from amtsweg.progress.models import (
    CatalogueLoad,
    ImplementationState,
    OzgLeikaKey,
    OzgService,
    ServiceProgress,
)
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def load(*files: Path) -> str:
    """Run the command in English: it speaks the active language (German by default), and
    these tests read its messages by their msgids."""
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_ozg_catalogue", *[str(f) for f in files], stdout=out, stderr=out)
    return out.getvalue()


def shipped_rows() -> list[dict[str, str]]:
    with SHIPPED_CATALOGUE.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def write(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    # errors="replace": Latin-1 has no dash for a few names; the umlauts are what matters.
    with path.open("w", encoding=encoding, errors="replace", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_shipped_catalogue_loads_fast_and_fills_the_services():
    dog_tax = ServiceFactory(leika_key="99102013002000", name="Hundesteuer")
    started = time.monotonic()
    output = load()
    elapsed = time.monotonic() - started
    assert OzgService.objects.count() == 557
    assert OzgLeikaKey.objects.count() == sum(len(r["leika_keys"].split()) for r in shipped_rows())
    dogs = OzgService.objects.get(ozg_id="10160")
    assert (dogs.name, dogs.themenfeld, dogs.lebenslage) == (
        "Hundehaltung",
        "Engagement & Hobby",
        "Tierhaltung",
    )
    assert dogs.keys.filter(leika_key="99102013002000").exists()
    dog_tax.refresh_from_db()
    assert (dog_tax.themenfeld, dog_tax.lebenslage, dog_tax.ozg_id) == (
        "Engagement & Hobby",
        "Tierhaltung",
        "10160",
    )
    assert "557" in output
    assert elapsed < 10, f"loading the catalogue took {elapsed:.1f} s"
    assert AuditEvent.objects.filter(action="progress.catalogue_loaded").count() == 1


def test_loading_again_changes_nothing():
    load()
    first_keys = set(OzgLeikaKey.objects.values_list("pk", "leika_key", "ozg_service_id"))
    load()
    assert OzgService.objects.count() == 557
    assert set(OzgLeikaKey.objects.values_list("pk", "leika_key", "ozg_service_id")) == first_keys
    last = CatalogueLoad.objects.first()
    assert (last.added, last.changed, last.unchanged, last.withdrawn) == (0, 0, 557, 0)


def test_a_newer_catalogue_keeps_progress_and_withdraws_what_it_no_longer_lists(
    tmp_path, darmstadt
):
    load()
    dogs = OzgService.objects.get(ozg_id="10160")
    ServiceProgress.objects.create(
        municipality=darmstadt, ozg_service=dogs, state=ImplementationState.PLANNED, maturity=1
    )
    waste = OzgService.objects.get(ozg_id="10110")
    ServiceProgress.objects.create(
        municipality=darmstadt, ozg_service=waste, state=ImplementationState.IN_PROGRESS
    )
    rows = [row for row in shipped_rows() if row["ozg_id"] != "10160"]
    for row in rows:
        if row["ozg_id"] == "10110":
            row["ozg_leistung"] = "Abfallentsorgung (neu gefasst)"
    rows.append({**rows[0], "ozg_id": "20001", "ozg_leistung": "Neue Leistung", "leika_keys": ""})
    output = load(write(tmp_path / "neu.csv", rows))

    assert "10160 Hundehaltung" in output and "1 progress records kept" in output
    dogs.refresh_from_db()
    assert dogs.withdrawn_at is not None
    # Progress and keys of the withdrawn service stay.
    assert ServiceProgress.objects.get(ozg_service=dogs).state == ImplementationState.PLANNED
    assert dogs.keys.filter(leika_key="99102013002000").exists()
    waste.refresh_from_db()
    assert waste.name == "Abfallentsorgung (neu gefasst)"
    assert ServiceProgress.objects.get(ozg_service=waste).state == ImplementationState.IN_PROGRESS
    assert OzgService.objects.current().count() == 557
    last = CatalogueLoad.objects.first()
    assert (last.added, last.changed, last.withdrawn) == (1, 1, 1)

    load()  # the shipped one again: 10160 comes back, 20001 goes
    dogs.refresh_from_db()
    assert dogs.withdrawn_at is None
    assert CatalogueLoad.objects.first().reinstated == 1
    assert OzgService.objects.get(ozg_id="20001").withdrawn_at is not None


def test_a_key_moved_to_another_service_follows_it(tmp_path):
    load()
    rows = shipped_rows()
    for row in rows:
        if row["ozg_id"] == "10160":
            row["leika_keys"] = " ".join(
                key for key in row["leika_keys"].split() if key != "99102013002000"
            )
        if row["ozg_id"] == "10110":
            row["leika_keys"] += " 99102013002000"
    load(write(tmp_path / "moved.csv", rows))
    assert OzgLeikaKey.objects.get(leika_key="99102013002000").ozg_service.ozg_id == "10110"


def assert_refused(path: Path, *fragments: str) -> None:
    services, loads = OzgService.objects.count(), CatalogueLoad.objects.count()
    with pytest.raises(CommandError) as refusal:
        load(path)
    message = str(refusal.value)
    assert message.startswith("Nothing was loaded")  # commands speak the msgids
    for fragment in fragments:
        assert fragment in message, message
    assert (OzgService.objects.count(), CatalogueLoad.objects.count()) == (services, loads)


def test_wrong_columns_are_refused(tmp_path):
    path = tmp_path / "falsch.csv"
    path.write_text("id;name\n1;Hund\n", encoding="utf-8")
    assert_refused(path, "falsch.csv", "ozg_id", "leika_keys")


def test_a_latin1_file_is_refused(tmp_path):
    load()
    rows = [row for row in shipped_rows() if row["ozg_id"] != "10160"]
    assert_refused(write(tmp_path / "latin1.csv", rows, encoding="latin-1"), "UTF-8")
    # Nothing was withdrawn by the refused file.
    assert OzgService.objects.current().count() == 557


@pytest.mark.parametrize(
    "change,fragment",
    [
        ({"ozg_id": "10x60"}, "10x60"),
        ({"leika_keys": "99102013002000 12345"}, "12345"),
        ({"themenfeld": ""}, "themenfeld"),
    ],
)
def test_a_bad_row_is_refused_with_its_line(tmp_path, change, fragment):
    rows = shipped_rows()
    rows[41].update(change)
    assert_refused(write(tmp_path / "zeile.csv", rows), "zeile.csv", "43", fragment)
    assert OzgService.objects.count() == 0


def test_an_ozg_id_listed_twice_is_refused(tmp_path):
    rows = shipped_rows()
    first = write(tmp_path / "a.csv", rows[:10])
    second = write(tmp_path / "b.csv", rows[9:20])
    services = OzgService.objects.count()
    with pytest.raises(CommandError, match=rows[9]["ozg_id"]):
        load(first, second)
    assert OzgService.objects.count() == services == 0


def test_two_files_together_make_one_catalogue(tmp_path):
    rows = shipped_rows()
    load(write(tmp_path / "a.csv", rows[:300]), write(tmp_path / "b.csv", rows[300:]))
    assert OzgService.objects.current().count() == 557


def test_the_progress_bar_draws_on_a_terminal_only():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = ProgressBar(200, "Laden", stream)
        bar.advance(50)
        bar.advance(150)
        bar.close()
    assert "25 %" in terminal.getvalue() and "100 % (200/200)" in terminal.getvalue()
    assert pipe.getvalue() == ""
