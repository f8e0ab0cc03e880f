"""The demo app's public door: load a complete, working demo installation in one call.

``load_demo`` builds the IKZ Modellregion Darmstadt: six municipalities with their real AGS/ARS,
one cluster, three LeiKa services with solutions published by Darmstadt, every municipality's
offerings, staff log-ins and a few applications in the inboxes. It is idempotent so that
``amtsweg demo`` can run on every start of a demo container:

- reference data (municipalities, cluster, services, solutions) is looked up by its natural key
  and brought up to date from the packaged files;
- what people own or may have changed (published versions, offerings, user accounts and their
  passwords) is created only when missing and otherwise left alone;
- demo applications are submitted only into a database that holds no submission yet.
"""

from dataclasses import dataclass, field
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.db import models, transaction
from django.utils import timezone

from amtsweg.catalog.models import (
    Offering,
    Service,
    Solution,
    SolutionVersion,
    VersionStatus,
)
from amtsweg.demo.adoption import load_adoption
from amtsweg.demo.cases import load_demo_cases
from amtsweg.demo.catalogue import (
    CLUSTER_NAME,
    CLUSTER_SLUG,
    DEMO_APPLICANTS,
    SOLUTIONS,
    DemoSolution,
    leika_rows,
)
from amtsweg.demo.municipalities import DARMSTADT_AGS, municipality_fields, municipality_rows
from amtsweg.demo.progress import load_demo_catalogue, load_demo_progress
from amtsweg.forms.services import check_definition, steps_of
from amtsweg.submissions.models import Submission
from amtsweg.submissions.services import save_step, start_draft, submit_application
from amtsweg.tenants.models import Cluster, Membership, Municipality, Role

#: The one password of every demo account; documented, so never use the demo in production.
DEMO_PASSWORD = "Amtsweg-Demo-2026"  # noqa: S105
OPERATOR_USERNAME = "operator"
#: Account suffix, role and first name of the staff created in every municipality.
STAFF_ROLES = (("admin", Role.ADMIN, "Verwaltung"), ("sb", Role.CLERK, "Sachbearbeitung"))


@dataclass(frozen=True)
class StaffLogin:
    """One demo log-in as the command prints it."""

    username: str
    password: str
    municipality: str
    role: str
    created: bool


@dataclass
class DemoSummary:
    """What the demo installation holds after ``load_demo`` and what this run added."""

    municipalities: int = 0
    offerings: int = 0
    users_created: int = 0
    submissions_created: int = 0
    logins: list[StaffLogin] = field(default_factory=list)


def database_has_municipalities() -> bool:
    """Whether any municipality exists: ``demo --if-empty`` then keeps its hands off."""
    return Municipality.objects.exists()


def load_demo(stdout: TextIO | None = None) -> DemoSummary:
    """Create or complete the demo installation, all in one transaction (see module docstring)."""

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    with transaction.atomic():
        had_submissions = Submission.objects.exists()
        municipalities = _load_municipalities()
        say(f"{len(municipalities)} municipalities, cluster {CLUSTER_NAME}")
        _load_cluster(municipalities)
        versions = _load_solutions(municipalities[DARMSTADT_AGS])
        say(f"{len(versions)} services with published solutions")
        offerings = _load_offerings(municipalities, versions)
        say(f"{len(offerings)} offerings")
        logins = _load_staff(municipalities)
        if load_demo_catalogue():
            say("OZG catalogue loaded")
        say(f"{load_demo_progress(municipalities, STAFF_ROLES[0][0])} OZG progress entries")
        # Before today's applications: the demo cases' histories lie in the past.
        cases = load_demo_cases(municipalities, versions)
        say(f"{cases} demo cases in every state of the workflow")
        submitted = 0 if had_submissions else _submit_demo_applications(offerings, versions)
        say(f"{submitted} demo applications submitted")
        # After the applications: they were made with version 1 and keep it after a switch.
        adoption = load_adoption(municipalities, versions)
        say(f"EfA: {adoption['switched']} offerings switched, {adoption['forked']} fork")
    return DemoSummary(
        municipalities=len(municipalities),
        offerings=len(offerings),
        users_created=sum(login.created for login in logins),
        submissions_created=submitted,
        logins=logins,
    )


def _save_clean(instance: models.Model, **values: Any) -> None:
    """Set ``values``, run the model's validators and save: demo data obeys the same rules."""
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()


def _load_municipalities() -> dict[str, Municipality]:
    """The six municipalities by AGS, updated from the packaged CSV and local settings."""
    found = {}
    for row in municipality_rows():
        municipality = Municipality.objects.filter(ags=row["ags"]).first()
        municipality = municipality or Municipality(ags=row["ags"])
        _save_clean(municipality, **municipality_fields(row))
        found[row["ags"]] = municipality
    return found


def _load_cluster(municipalities: dict[str, Municipality]) -> Cluster:
    """The IKZ cluster led by Darmstadt; members are only added, never removed."""
    cluster = Cluster.objects.filter(slug=CLUSTER_SLUG).first() or Cluster(slug=CLUSTER_SLUG)
    _save_clean(cluster, name=CLUSTER_NAME, lead=municipalities[DARMSTADT_AGS])
    cluster.members.add(*municipalities.values())
    return cluster


def _load_solutions(publisher: Municipality) -> dict[str, SolutionVersion]:
    """The services and the publisher's solutions, each with published version 1, by slug."""
    leika = leika_rows()
    versions = {}
    for spec in SOLUTIONS:
        row = leika[spec.leika_key]
        service = Service.objects.filter(leika_key=spec.leika_key).first()
        service = service or Service(leika_key=spec.leika_key)
        _save_clean(
            service,
            name=spec.service_name,
            description=spec.service_description,
            ozg_id=row["ozg_id"],
            legal_basis=row["rechtsgrundlage"],
        )
        solution = Solution.objects.filter(publisher=publisher, slug=spec.slug).first()
        solution = solution or Solution(publisher=publisher, slug=spec.slug)
        _save_clean(solution, service=service, name=spec.solution_name, summary=spec.summary)
        versions[spec.slug] = _publish_first_version(solution, spec)
    return versions


def _publish_first_version(solution: Solution, spec: DemoSolution) -> SolutionVersion:
    """Version 1 of the solution, published; a published version is immutable, so it is
    returned as it is."""
    version = SolutionVersion.objects.filter(solution=solution, number=1).first()
    if version is not None and version.status == VersionStatus.PUBLISHED:
        return version
    check_definition(spec.definition)
    version = version or SolutionVersion(solution=solution, number=1)
    _save_clean(
        version,
        form_definition=spec.definition,
        trust_level=spec.trust_level,
        processing_days=spec.processing_days,
    )
    version.publish()
    return version


def _load_offerings(
    municipalities: dict[str, Municipality], versions: dict[str, SolutionVersion]
) -> list[Offering]:
    """Every municipality adopts every solution; local settings an admin changed are kept."""
    offerings = []
    for ags, municipality in municipalities.items():
        for spec in SOLUTIONS:
            offering = Offering.objects.filter(municipality=municipality, slug=spec.slug).first()
            if offering is None:
                processor = municipalities[spec.processed_elsewhere.get(ags, ags)]
                offering = Offering(municipality=municipality, slug=spec.slug)
                _save_clean(
                    offering,
                    solution_version=versions[spec.slug],
                    processing_municipality=processor,
                    title=spec.offering_title,
                    description=spec.offering_description,
                    responsible_office=spec.office,
                    contact_email=f"{spec.contact_mailbox}@{processor.slug}.example",
                    contact_phone=processor.phone,
                    fee=spec.fee,
                )
            offerings.append(offering)
    return offerings


def _load_staff(municipalities: dict[str, Municipality]) -> list[StaffLogin]:
    """The operator (Django admin) and, per municipality, an admin and a clerk with roles."""
    operator, created = _ensure_user(
        OPERATOR_USERNAME,
        first_name="Betrieb",
        last_name="Amtsweg",
        is_staff=True,
        is_superuser=True,
    )
    logins = [StaffLogin(operator.get_username(), DEMO_PASSWORD, "–", "operator", created)]
    for municipality in municipalities.values():
        for suffix, role, first_name in STAFF_ROLES:
            user, created = _ensure_user(
                f"{municipality.slug}-{suffix}",
                first_name=first_name,
                last_name=municipality.short_name,
            )
            Membership.objects.get_or_create(user=user, municipality=municipality, role=role)
            logins.append(
                StaffLogin(
                    user.get_username(), DEMO_PASSWORD, municipality.short_name, role, created
                )
            )
    return logins


def _ensure_user(username: str, **attributes: Any) -> tuple[AbstractBaseUser, bool]:
    """The account ``username``; created with the demo password only when it does not exist,
    so a password someone changed stays changed."""
    user_model = get_user_model()
    existing = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    if existing is not None:
        return existing, False
    user = user_model(
        **{user_model.USERNAME_FIELD: username}, email=f"{username}@amtsweg.example", **attributes
    )
    validate_password(DEMO_PASSWORD, user)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user, True


def _submit_demo_applications(
    offerings: list[Offering], versions: dict[str, SolutionVersion]
) -> int:
    """One application per offering, through the same service functions a citizen uses."""
    specs = {spec.slug: spec for spec in SOLUTIONS}
    today = timezone.localdate()
    submitted = 0
    for index, offering in enumerate(offerings):
        if offering.solution_version_id != versions[offering.slug].pk:
            continue  # An admin moved the offering to another version; its form may differ.
        municipality = offering.municipality
        person = DEMO_APPLICANTS[index % len(DEMO_APPLICANTS)]
        answers = specs[offering.slug].sample_answers(
            person, municipality.postcode, municipality.short_name, today
        )
        draft = start_draft(offering)
        for step in steps_of(draft.solution_version.form_definition):
            keys = {field["key"] for field in step.get("fields", [])}
            save_step(draft, step["key"], {k: v for k, v in answers.items() if k in keys})
        submit_application(draft)
        submitted += 1
    return submitted
