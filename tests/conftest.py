"""Test foundation: fast, offline settings and the personas every test file can use.

Personas are real places with their official keys (Destatis GV100AD, see
shared/data/municipalities.csv): Darmstadt, and Modautal and Ober-Ramstadt from the
Darmstadt-Dieburg district, all three in one IKZ cluster ("Modellregion Darmstadt").
"""

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from hypothesis import settings as hypothesis_settings

from amtsweg.catalog.models import Offering, SolutionVersion
from amtsweg.lib.databases import is_sqlite
from amtsweg.submissions.models import Submission
from amtsweg.submissions.services import Receipt, submit_application
from amtsweg.tenants.models import Cluster, Municipality, MunicipalityKind, Role
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    ServiceFactory,
    SolutionFactory,
    SolutionVersionFactory,
    UserFactory,
    make_complete_draft,
)

# No example database in the working directory (.hypothesis/): every run starts clean.
hypothesis_settings.register_profile("amtsweg", database=None)
hypothesis_settings.load_profile("amtsweg")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Keep the SQLite test database in a temporary file, never in the working directory's var/.

    A file (rather than SQLite's shared in-memory database) gives the tests the same WAL and
    ``BEGIN IMMEDIATE`` locking as production, which the concurrency tests rely on. PostgreSQL
    runs get their own ``test_<name>`` database from pytest-django as usual.
    """
    for database in django_settings.DATABASES.values():
        if is_sqlite(database):
            database.setdefault("TEST", {})["NAME"] = str(
                tmp_path_factory.mktemp("db") / "amtsweg-test.sqlite3"
            )


def _offline_settings(files: Path) -> dict[str, Any]:
    """Fast hashing, mail into ``django.core.mail.outbox``, no collectstatic, files in tmp."""
    (files / "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "STORAGES": {
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        "MEDIA_ROOT": files / "media",
        "STATIC_ROOT": files / "static",
        "EMAIL_FILE_PATH": files / "mail",
        "LANGUAGE_CODE": "de",
        # Receipts rendered in the tests' own thread priority: under SCHED_IDLE a busy shared
        # runner could keep a test's rendering off the CPU (tests/test_niceness.py turns it on).
        "RECEIPT_RENDER_IDLE": False,
        # Nor do they wait for a busy runner to have CPU to spare (tests/test_niceness.py).
        "RECEIPT_FREE_CPU_WAIT": 0,
    }


@pytest.fixture(autouse=True)
def _test_settings(
    settings: Any, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> None:
    if "demo_once" in request.fixturenames:
        return  # the module's demo set these, and its files live in its directory
    for name, value in _offline_settings(tmp_path_factory.mktemp("var")).items():
        setattr(settings, name, value)


@pytest.fixture(scope="module")
def demo_once(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """The demo data, loaded once for a whole test module and rolled back after it.

    Loading the demo renders decision PDFs and runs dozens of service calls (seconds); modules
    that try many URLs against it would reload it per test. Like Django's ``setUpTestData``, the
    load runs in an outer transaction, and each test's own transaction is a savepoint inside it,
    so a test still never sees another test's changes.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(**_offline_settings(tmp_path_factory.mktemp("demo"))),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- municipalities -------------------------------------------------------------------------


@pytest.fixture
def darmstadt(db: None) -> Municipality:
    return MunicipalityFactory(
        name="Darmstadt, Wissenschaftsstadt",
        short_name="Darmstadt",
        kind=MunicipalityKind.INDEPENDENT_CITY,
        ags="06411000",
        ars="064110000000",
        slug="darmstadt",
        reference_prefix="DA",
        postcodes="64283 64285 64287 64289 64291 64293 64295 64297",
        population=167029,
    )


@pytest.fixture
def modautal(db: None) -> Municipality:
    return MunicipalityFactory(
        name="Modautal",
        short_name="Modautal",
        kind=MunicipalityKind.MUNICIPALITY,
        ags="06432013",
        ars="064320013013",
        slug="modautal",
        reference_prefix="MOD",
        postcodes="64397",
        population=5090,
    )


@pytest.fixture
def ober_ramstadt(db: None) -> Municipality:
    # The real key is 06432016 (GV100AD); 06432018 would be another place.
    return MunicipalityFactory(
        name="Ober-Ramstadt, Stadt",
        short_name="Ober-Ramstadt",
        kind=MunicipalityKind.TOWN,
        ags="06432016",
        ars="064320016016",
        slug="ober-ramstadt",
        reference_prefix="ORA",
        postcodes="64372",
        population=15078,
    )


@pytest.fixture
def cluster(
    darmstadt: Municipality, modautal: Municipality, ober_ramstadt: Municipality
) -> Cluster:
    cluster = Cluster.objects.create(
        name="Modellregion Darmstadt", slug="modellregion-darmstadt", lead=darmstadt
    )
    cluster.members.set([darmstadt, modautal, ober_ramstadt])
    return cluster


# --- staff personas -------------------------------------------------------------------------


def _staff(username: str, municipality: Municipality, role: str, **extra: Any) -> Any:
    user = UserFactory(username=username, **extra)
    MembershipFactory(user=user, municipality=municipality, role=role)
    return user


@pytest.fixture
def inbox_url(darmstadt: Municipality) -> str:
    """Darmstadt's back-office inbox."""
    return reverse("cases:inbox", args=[darmstadt.slug])


@pytest.fixture
def darmstadt_clerk(darmstadt: Municipality) -> Any:
    return _staff("da.clerk", darmstadt, Role.CLERK, first_name="Dana", last_name="Darm")


@pytest.fixture
def darmstadt_admin(darmstadt: Municipality) -> Any:
    return _staff("da.admin", darmstadt, Role.ADMIN)


@pytest.fixture
def darmstadt_readonly(darmstadt: Municipality) -> Any:
    return _staff("da.readonly", darmstadt, Role.READ_ONLY)


@pytest.fixture
def modautal_clerk(modautal: Municipality) -> Any:
    return _staff("mod.clerk", modautal, Role.CLERK, first_name="Moritz", last_name="Moda")


@pytest.fixture
def ober_ramstadt_clerk(ober_ramstadt: Municipality) -> Any:
    return _staff("ora.clerk", ober_ramstadt, Role.CLERK)


# --- catalogue ------------------------------------------------------------------------------


@pytest.fixture
def solution_version(darmstadt: Municipality) -> SolutionVersion:
    """Version 1 of Darmstadt's published dog-registration solution (form: FORM_DEFINITION)."""
    service = ServiceFactory(leika_key="99036011001000", name="Hundesteuer Anmeldung")
    solution = SolutionFactory(
        service=service, publisher=darmstadt, name="Hund anmelden", slug="hund-anmelden"
    )
    return SolutionVersionFactory(solution=solution, number=1)


@pytest.fixture
def offering(darmstadt: Municipality, solution_version: SolutionVersion) -> Offering:
    """Darmstadt offers the solution and processes its cases itself."""
    return OfferingFactory(
        municipality=darmstadt,
        solution_version=solution_version,
        slug="hund-anmelden",
        title="Hund anmelden",
        responsible_office="Steuerverwaltung",
    )


@pytest.fixture
def ikz_offering(
    cluster: Cluster,
    modautal: Municipality,
    ober_ramstadt: Municipality,
    solution_version: SolutionVersion,
) -> Offering:
    """Modautal offers the solution; Ober-Ramstadt processes the cases (IKZ)."""
    return OfferingFactory(
        municipality=modautal,
        processing_municipality=ober_ramstadt,
        solution_version=solution_version,
        slug="hund-anmelden",
    )


# --- journeys -------------------------------------------------------------------------------


@pytest.fixture
def complete_draft(offering: Offering) -> Submission:
    """A Darmstadt draft with every step validly filled in, ready to submit."""
    return make_complete_draft(offering)


@pytest.fixture
def submit() -> Callable[..., Receipt]:
    """``submit(draft, **kwargs)``: submit_application, returning the receipt."""

    def _submit(draft: Submission, **kwargs: Any) -> Receipt:
        return submit_application(draft, **kwargs)

    return _submit


@pytest.fixture
def submitted(complete_draft: Submission) -> Receipt:
    """The receipt of a submitted Darmstadt application (its case is in Darmstadt's inbox)."""
    return submit_application(complete_draft)


@pytest.fixture
def darmstadt_case(submitted: Receipt) -> Any:
    return submitted.submission.case
