"""Demo cases in every state of the workflow, so that the back office has something to show.

For the Darmstadt cluster this makes one case per situation a clerk meets: received today and
received long ago (overdue, nobody on it), in review with an extended deadline and in review
overdue, waiting for the applicant (a follow-up request open, the clock stopped), answered (the
answer with a file, flagged in the inbox), decided (the decision PDF in the mailbox), closed
with a result, withdrawn by the applicant, and a case Ober-Ramstadt decides for Modautal (IKZ).

Everything goes through the real service functions (submit, claim, status changes, follow-up
request and answer, decision, closing, withdrawal), so statuses, history, audit events,
messages, documents and e-mail jobs are exactly what the product makes. To give the cases a
history of days and weeks, each step runs with Django's clock (``timezone.now``) set to the day
it would have happened; the steps of all cases run in the order of those moments, so reference
numbers and audit chains follow the calendar. A demo only: the product never moves its clock.

Idempotent: each case is submitted with the idempotency key ``demo-case-<name>`` on its
offering; a case whose key exists is left as it is (whatever a clerk has done with it since).
"""

import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from amtsweg.cases.decisions import issue_decision
from amtsweg.cases.mailbox import answer_follow_up, request_follow_up
from amtsweg.cases.models import Case, CaseResult, CaseStatus, Message
from amtsweg.cases.services import (
    change_case_status,
    claim_case,
    extend_deadline,
    withdraw_case,
)
from amtsweg.catalog.models import Offering, SolutionVersion
from amtsweg.demo.catalogue import SOLUTIONS
from amtsweg.demo.forms.common import DemoApplicant
from amtsweg.forms.services import steps_of
from amtsweg.identity.bundid.identity import CitizenIdentity
from amtsweg.identity.bundid.models import Citizen
from amtsweg.submissions.models import Submission, SubmissionStatus
from amtsweg.submissions.services import (
    record_applicant,
    save_step,
    start_draft,
    submit_application,
)
from amtsweg.tenants.models import Municipality

KEY_PREFIX = "demo-case-"
#: The test identity provider's Erika Mustermann (README): log in as her at /testidp/ to see
#: these cases in her mailbox. The pseudonym is the one the test IdP sends.
ERIKA = DemoApplicant("Erika", "Mustermann", "Luisenplatz 5", "+49 6151 0000-120")
ERIKA_IDENTITY = CitizenIdentity(
    pseudonym="testidp-erika-mustermann-7Qd2",
    trust_level="substantial",
    given_name="Erika",
    family_name="Mustermann",
    street="Luisenplatz",
    house_number="5",
    postcode="64283",
    city="Darmstadt",
    email=ERIKA.email,
)
ANONYMOUS = [
    DemoApplicant("Karl", "Hoffmann", "Kasinostraße 60", "+49 6151 0000-121"),
    DemoApplicant("Mira", "Lang", "Heinrichstraße 112", "+49 6151 0000-122"),
    DemoApplicant("Tobias", "Roth", "Pallaswiesenstraße 9", "+49 6151 0000-123"),
    DemoApplicant("Nele", "Fischer", "Im Grund 8", "+49 6254 0000-124"),
]


@dataclass
class Scenario:
    """One demo case: where it is applied for, by whom, and what happens to it when."""

    name: str
    municipality: str  # slug of the offering's municipality
    solution: str  # slug of the solution (and of the offering)
    person: DemoApplicant
    #: (days ago, hour of the day, what happens) — the first step must be the submit.
    steps: list[tuple[int, int, Callable[["Run"], None]]]
    with_bundid: bool = False


@dataclass
class Run:
    """What the steps of one scenario share: its offering, its case, the acting staff."""

    scenario: Scenario
    offering: Offering
    staff: dict[str, AbstractBaseUser]
    case: Case | None = None

    def clerk(self) -> AbstractBaseUser:
        return self.staff[f"{self.case.municipality.slug}-sb"]

    def fresh(self) -> Case:
        self.case = Case.objects.select_related("municipality").get(pk=self.case.pk)
        return self.case


# --- the steps ------------------------------------------------------------------------------


def submit(run: Run) -> None:
    scenario, offering = run.scenario, run.offering
    municipality = offering.municipality
    spec = next(spec for spec in SOLUTIONS if spec.slug == scenario.solution)
    postcode = "64283" if scenario.with_bundid else municipality.postcode
    # Dates in the answers count from the real today, as the form's date rules do.
    answers = spec.sample_answers(scenario.person, postcode, municipality.short_name, date.today())
    draft = start_draft(offering)
    if scenario.with_bundid:
        # Her account as her first BundID log-in creates it (identity.bundid.services.log_in,
        # which needs a browser request); the draft is then hers as after a log-in.
        Citizen.objects.get_or_create(
            pseudonym=ERIKA_IDENTITY.pseudonym,
            defaults={"last_login": timezone.now(), "trust_level": ERIKA_IDENTITY.trust_level},
        )
        record_applicant(draft, ERIKA_IDENTITY)
    for step in steps_of(draft.solution_version.form_definition):
        keys = {item["key"] for item in step.get("fields", [])}
        save_step(draft, step["key"], {k: v for k, v in answers.items() if k in keys})
    receipt = submit_application(draft, idempotency_key=KEY_PREFIX + scenario.name)
    run.case = receipt.submission.case


def claim(run: Run) -> None:
    claim_case(run.fresh(), actor=run.clerk())


def review(run: Run) -> None:
    change_case_status(
        run.fresh(), CaseStatus.IN_REVIEW, actor=run.clerk(), comment="Vollständigkeit prüfen."
    )


def extend(run: Run) -> None:
    case = run.fresh()
    extend_deadline(
        case,
        case.deadline + timedelta(days=7),
        reason="Stellungnahme des Tiefbauamts steht noch aus.",
        actor=run.clerk(),
    )


def ask_for_documents(run: Run) -> None:
    request_follow_up(
        run.fresh(),
        "Nachweis fehlt",
        "Bitte laden Sie einen Nachweis hoch (zum Beispiel ein Foto des Dokuments).",
        timezone.localdate() + timedelta(days=14),
        actor=run.clerk(),
    )


def answer(run: Run) -> None:
    request = Message.objects.open_follow_ups().filter(case=run.case).get()
    citizen = Citizen.objects.get(pseudonym=ERIKA_IDENTITY.pseudonym)
    photo = SimpleUploadedFile("Nachweis.png", _demo_png(), content_type="image/png")
    answer_follow_up(request, "Anbei der Nachweis, als Foto.", [photo], citizen=citizen)


#: What the demo decisions say, per solution: (reasoning, conditions).
DECISION_TEXTS = {
    "hundesteuer": (
        "Der Hund ist ordnungsgemäß angemeldet. Die Steuer wird nach der Hundesteuersatzung "
        "festgesetzt; die Steuermarke erhalten Sie mit diesem Bescheid.",
        "",
    ),
    "bewohnerparkausweis": (
        "Sie sind im Bewohnerparkgebiet mit Hauptwohnsitz gemeldet und Halterin des "
        "Fahrzeugs. Die Voraussetzungen nach § 45 Abs. 1b StVO liegen vor.",
        "Der Ausweis ist gut lesbar hinter der Windschutzscheibe auszulegen.",
    ),
    "sondernutzung": (
        "Die Nutzung beeinträchtigt den Verkehr nicht über das Unvermeidliche hinaus. Die "
        "Erlaubnis wird für den beantragten Zeitraum erteilt.",
        "Ein Gehweg von mindestens 1,30 m Breite bleibt frei. Die Erlaubnis ist mitzuführen.",
    ),
}


def decide(run: Run) -> None:
    reasoning, conditions = DECISION_TEXTS[run.scenario.solution]
    issue_decision(
        run.fresh(),
        actor=run.clerk(),
        outcome="approved",
        reasoning=reasoning,
        conditions=conditions,
    )


def close(run: Run) -> None:
    change_case_status(
        run.fresh(),
        CaseStatus.CLOSED,
        actor=run.clerk(),
        result=CaseResult.APPROVED,
        comment="Bescheid zugestellt, Vorgang erledigt.",
    )


def withdraw(run: Run) -> None:
    withdraw_case(run.fresh(), by_applicant=True)


def _demo_png(width: int = 120, height: int = 80) -> bytes:
    """A small real PNG (a pale page with grey text lines) for the answer's attachment."""
    rows = []
    for y in range(height):
        line = y % 10 in (4, 5) and 10 < y < height - 10
        pixel = b"\x90\x90\x90" if line else b"\xf4\xf1\xe8"
        rows.append(b"\x00" + pixel * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def scenarios() -> list[Scenario]:
    """The demo cases; days count back from today (see the module docstring)."""
    hoffmann, lang, roth, fischer = ANONYMOUS
    return [
        Scenario("eingegangen", "darmstadt", "hundesteuer", hoffmann, [(1, 9, submit)]),
        Scenario("eingegangen-ueberfaellig", "darmstadt", "sondernutzung", lang,
                 [(20, 11, submit)]),
        Scenario("in-pruefung-verlaengert", "darmstadt", "sondernutzung", roth,
                 [(9, 8, submit), (8, 10, claim), (8, 10, review), (3, 14, extend)]),
        Scenario("in-pruefung-ueberfaellig", "darmstadt", "hundesteuer", fischer,
                 [(18, 15, submit), (17, 9, claim), (17, 9, review)]),
        Scenario("nachforderung-offen", "darmstadt", "hundesteuer", ERIKA,
                 [(6, 10, submit), (5, 9, claim), (5, 9, review), (4, 11, ask_for_documents)],
                 with_bundid=True),
        Scenario("nachforderung-beantwortet", "darmstadt", "sondernutzung", ERIKA,
                 [(12, 16, submit), (11, 8, claim), (11, 8, review), (9, 13, ask_for_documents),
                  (2, 19, answer)],
                 with_bundid=True),
        Scenario("entschieden", "darmstadt", "bewohnerparkausweis", ERIKA,
                 [(10, 12, submit), (9, 9, claim), (9, 9, review), (1, 15, decide)],
                 with_bundid=True),
        Scenario("abgeschlossen", "darmstadt", "hundesteuer", lang,
                 [(30, 10, submit), (29, 9, claim), (29, 9, review), (21, 11, decide),
                  (20, 9, close)]),
        Scenario("zurueckgezogen", "darmstadt", "sondernutzung", ERIKA,
                 [(15, 18, submit), (3, 20, withdraw)], with_bundid=True),
        # IKZ: Ober-Ramstadt decides Modautal's case, in Modautal's name (cases.letters).
        Scenario("ikz-entschieden", "modautal", "sondernutzung", fischer,
                 [(8, 10, submit), (7, 9, claim), (7, 9, review), (2, 10, decide)]),
    ]  # fmt: skip


# --- running them ---------------------------------------------------------------------------


@contextmanager
def _clock_at(moment: datetime) -> Iterator[None]:
    """Django's clock shows ``moment`` (see the module docstring: demo data only)."""
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def _moment(days_ago: int, hour: int, minute: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    # In UTC, as the real ``timezone.now()`` is (the audit chain hashes the time's ISO form).
    return timezone.make_aware(datetime.combine(day, time(hour, minute))).astimezone(UTC)


def _exists(offering: Offering, name: str) -> bool:
    return Submission.objects.filter(
        offering=offering, idempotency_key=KEY_PREFIX + name, status=SubmissionStatus.SUBMITTED
    ).exists()


def load_demo_cases(
    municipalities: dict[str, Municipality], versions: dict[str, SolutionVersion]
) -> int:
    """Create the demo cases that do not exist yet; returns how many were created.

    A case is skipped when its offering is missing or an admin has moved it to another
    version (its form may not take the sample answers).
    """
    by_slug = {municipality.slug: municipality for municipality in municipalities.values()}
    user_model = get_user_model()
    clerks = user_model._default_manager.filter(
        **{f"{user_model.USERNAME_FIELD}__endswith": "-sb"}
    )
    staff = {user.get_username(): user for user in clerks}
    runs: list[Run] = []
    for scenario in scenarios():
        municipality = by_slug.get(scenario.municipality)
        offering = Offering.objects.filter(
            municipality=municipality, slug=scenario.solution
        ).first()
        version = versions.get(scenario.solution)
        if offering is None or version is None or offering.solution_version_id != version.pk:
            continue
        if _exists(offering, scenario.name):
            continue
        if f"{offering.processing_municipality.slug}-sb" not in staff:
            continue
        runs.append(Run(scenario=scenario, offering=offering, staff=staff))
    steps: list[tuple[datetime, Run, Callable[[Run], Any]]] = []
    for run in runs:
        for index, (days_ago, hour, action) in enumerate(run.scenario.steps):
            # Steps of one case on the same hour keep their order, a minute apart.
            steps.append((_moment(days_ago, hour, index), run, action))
    for moment, run, action in sorted(steps, key=lambda step: step[0]):
        with _clock_at(moment):
            action(run)
    return len(runs)
