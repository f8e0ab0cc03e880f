"""The back office at scale (issue 9, point 3): a million cases on PostgreSQL, then the clerk's
pages timed.

    python -m bench backoffice            # 1,000,000 cases; appends to docs/benchmarks.md
    python -m bench backoffice --quick    # 5,000 cases, a few repetitions; prints only

It (re)creates the database ``amtsweg_bench_backoffice`` (``--postgres-url``), migrates it,
loads the demo (6 municipalities, 3 services, staff) and adds 17 more services with an
offering in every municipality (20 services) and 5 clerks per municipality. Then the cases are
generated inside PostgreSQL, one ``INSERT … SELECT … FROM generate_series`` per table, not the
ORM row by row: submissions with the data of the demo application of their form (names,
e-mail, reference number varied), their cases and status history. Received over the last 3
years; the older a case, the likelier it is closed. The indexes that are not constraints are
dropped before and built again after the load (faster than keeping them up to date), and the
tables are vacuumed and analysed, as a real database would be.

The timings go through the real views with Django's test client in this process (no HTTP
server, no network), signed in as a Darmstadt clerk with a verified second factor: each page
is fetched ``--repeat`` times after two warm-up requests; p50 and p95 in milliseconds, and the
SQL statements of one request.
"""

import argparse
import base64
import contextlib
import cProfile
import datetime
import hashlib
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench import report
from bench.run import bench_postgres_url, postgres_transport

EXTRA_SERVICES = 17
CLERKS_PER_MUNICIPALITY = 5
TARGETS_MS = {"inbox": 50.0, "filtered": 50.0, "deadline": 50.0, "search": 200.0, "case": 80.0}

GIVEN_NAMES = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Felix",
    "Greta",
    "Hannah",
    "Jonas",
    "Julia",
    "Karl",
    "Lea",
    "Lena",
    "Leon",
    "Lukas",
    "Marie",
    "Max",
    "Mia",
    "Noah",
    "Paul",
    "Sophie",
    "Tom",
    "Jan",
    "Lina",
    "Elias",
    "Emil",
    "Finn",
    "Ida",
    "Jakob",
    "Lotta",
    "Luis",
    "Mila",
    "Moritz",
    "Nele",
    "Niklas",
    "Ole",
    "Paula",
    "Theo",
    "Tim",
    "Wilhelm",
    "Sabine",
    "Thomas",
    "Andrea",
    "Michael",
    "Petra",
    "Stefan",
    "Ursula",
    "Wolfgang",
    "Monika",
    "Frank",
    "Birgit",
    "Jürgen",
    "Heike",
    "Ralf",
    "Katrin",
    "Uwe",
    "Silke",
    "Dirk",
    "Anja",
    "Sven",
]
FAMILY_NAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Schubert",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Frank",
    "Berger",
    "Winkler",
    "Roth",
    "Beck",
    "Lorenz",
    "Baumann",
    "Franke",
    "Albrecht",
    "Schuster",
    "Simon",
    "Ludwig",
    "Böhm",
    "Winter",
    "Kraus",
    "Martin",
    "Schumacher",
    "Krämer",
    "Vogt",
    "Stein",
    "Jäger",
    "Otto",
    "Sommer",
    "Groß",
    "Seidel",
    "Heinrich",
    "Brandt",
    "Haas",
    "Schreiber",
    "Graf",
    "Schulte",
    "Dietrich",
    "Ziegler",
    "Kuhn",
    "Kühn",
    "Pohl",
    "Engel",
    "Horn",
    "Busch",
    "Bergmann",
    "Thomas",
    "Voigt",
    "Sauer",
    "Arnold",
]


log = report.progress("backoffice")


# The key that seals the generated applicants' answers (ADR 0008): made up data, no secret.
BENCH_DATA_KEY = base64.b64encode(hashlib.sha256(b"amtsweg bench backoffice").digest()).decode()


def configure(url: str, var_dir: Path) -> None:
    """Settings for this process, as ``amtsweg serve`` would have them (DEBUG off)."""
    for key in list(os.environ):
        if key.startswith(("AMTSWEG_", "DATABASE_", "DJANGO_")) or key == "DEBUG":
            del os.environ[key]
    os.environ.update(
        {
            "AMTSWEG_VAR_DIR": str(var_dir),
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": os.urandom(24).hex(),
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "AMTSWEG_EMAIL": "file",
            "AMTSWEG_TEST_IDP": "false",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "amtsweg.settings",
            # A fixed key, so that --reuse in a later process opens what an earlier one sealed.
            "AMTSWEG_DATA_KEY": BENCH_DATA_KEY,
        }
    )


@contextlib.contextmanager
def throwaway_installation(
    part: str, postgres_url: str | None = None
) -> Iterator[tuple[str, str]]:
    """A temporary var directory and an empty database for the in-process parts (documents,
    pages): SQLite in that directory, or the PostgreSQL database at ``postgres_url``, made
    empty first; settings as in production (``configure``) and Django set up. Yields the
    database's name and version.

    Afterwards the connections are closed, the PostgreSQL database dropped and the directory
    removed, whatever happens: each step also when one before it fails or a SIGTERM cuts into
    it (an ``ExitStack`` runs every callback and raises afterwards)."""
    from bench.run import recreate_postgres

    with contextlib.ExitStack() as cleanup:
        var_dir = Path(tempfile.mkdtemp(prefix=f"amtsweg-bench-{part}-"))
        cleanup.callback(shutil.rmtree, var_dir, ignore_errors=True)
        if postgres_url:
            cleanup.callback(_quietly, recreate_postgres, postgres_url, drop_only=True)
            version = recreate_postgres(postgres_url)
            database = ("PostgreSQL", f"{version}, {postgres_transport(postgres_url)}")
        else:
            import sqlite3

            database = ("SQLite", sqlite3.sqlite_version)
        configure(postgres_url or f"sqlite:///{var_dir / 'bench.sqlite3'}", var_dir)
        (var_dir / "static").mkdir()  # collectstatic is not needed; WhiteNoise wants the folder
        import django
        from django.db import connections

        django.setup()
        cleanup.callback(_quietly, connections.close_all)  # before the DROP, which it unblocks
        yield database


def _quietly(function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """A clean-up step whose failure must not stop the next ones."""
    with contextlib.suppress(Exception):
        function(*args, **kwargs)


@contextlib.contextmanager
def run_database(
    url: str, *, quick: bool, say: Callable[[str], None] = log
) -> Iterator[str | None]:
    """The PostgreSQL database a part may drop and create, or None when no server answers.

    A full run gets ``url``'s own. A quick one gets one of its own beside it
    (``<name>_quick_<pid>``), since ``make test`` may run beside a full run or another test;
    it is claimed while the run lasts (``claimed_database``), and those of killed quick runs
    are dropped first (``drop_abandoned_quick_databases``)."""
    from bench.run import database_name, postgres_answers, with_database

    run_url = url
    if quick:
        run_url = with_database(url, f"{database_name(url)}_quick_{os.getpid()}")
    if reason := postgres_answers(run_url):
        say(f"skipped, no PostgreSQL server answers ({reason})")
        yield None
        return
    with claimed_database(run_url) if quick else contextlib.nullcontext():
        if quick:
            for name in drop_abandoned_quick_databases(url, say):
                say(f"dropped {name}, left behind by an earlier quick run")
        yield run_url


def command_line(part: str, argv: list[str] | None, quick: bool) -> str:
    """How a dated section names the command that made it."""
    command = "make bench-quick" if quick else "make bench"
    return command + (f" (python -m bench {part} {' '.join(argv)})" if argv else "")


# --- the data ------------------------------------------------------------------------------------


def install_demo() -> None:
    """Migrate the throwaway installation and load the demo."""
    from django.core.management import call_command

    with Path(os.devnull).open("w") as quiet:
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
        call_command("demo", stdout=quiet)


def install() -> None:
    """Schema, demo, static files (the pages are rendered with DEBUG off)."""
    from django.core.management import call_command

    install_demo()
    with Path(os.devnull).open("w") as quiet:
        call_command("collectstatic", interactive=False, verbosity=0, stdout=quiet)


def add_services_and_clerks() -> None:
    """17 more services (copies of the demo's forms under other names), each offered and
    processed by every municipality, and 5 clerks per municipality."""
    from django.contrib.auth import get_user_model

    from amtsweg.catalog.models import Offering, Service, Solution, SolutionVersion
    from amtsweg.tenants.models import Membership, Municipality, Role

    demo_versions = list(  # versions with demo applications, whose data the cases copy
        SolutionVersion.objects.filter(submissions__status="submitted")
        .distinct()
        .select_related("solution")
        .order_by("pk")
    )
    publisher = demo_versions[0].solution.publisher
    municipalities = list(Municipality.objects.order_by("pk"))
    for number in range(1, EXTRA_SERVICES + 1):
        model = demo_versions[number % len(demo_versions)]
        service = Service.objects.create(
            leika_key=f"99900{number:09d}", name=f"Benchmark-Leistung {number}"
        )
        solution = Solution.objects.create(
            service=service, publisher=publisher, name=service.name, slug=f"bench-{number}"
        )
        version = SolutionVersion.objects.create(
            solution=solution,
            number=1,
            form_definition=model.form_definition,
            trust_level=model.trust_level,
            processing_days=model.processing_days,
        )
        version.publish()
        template = (  # an offering of the same form, for its settings
            Offering.objects.filter(solution_version__solution=model.solution)
            .order_by("pk")
            .first()
        )
        for municipality in municipalities:
            offering = Offering.objects.get(pk=template.pk)  # a copy with its settings
            offering.pk, offering.uuid = None, uuid.uuid4()
            offering.municipality = offering.processing_municipality = municipality
            offering.solution_version, offering.slug = version, f"bench-{number}"
            offering.title = f"{template.title} ({number})"
            offering.save()
    users = get_user_model()
    for municipality in municipalities:
        for number in range(1, CLERKS_PER_MUNICIPALITY + 1):
            user = users.objects.create(
                username=f"bench-{municipality.slug}-{number}",
                first_name=GIVEN_NAMES[number],
                last_name=municipality.short_name,
            )
            Membership.objects.create(user=user, municipality=municipality, role=Role.CLERK)


def _name_keys(definition: dict[str, Any]) -> dict[str, str]:
    """Top-level data keys of the fields marked as the applicant's given and family name and
    e-mail address."""
    keys = {}
    for step in definition["steps"]:
        for item in step.get("fields", []):
            if item.get("applicant") in ("given_name", "family_name", "email"):
                keys[item["applicant"]] = item["key"]
    return keys


def offering_templates() -> list[tuple[Any, ...]]:
    """Per offering: what a generated application of it is made of (from its form's demo
    application)."""
    from amtsweg.cases.search import search_text_for
    from amtsweg.catalog.models import Offering
    from amtsweg.submissions.models import Submission, SubmissionStatus

    rows = []
    submitted = Submission.objects.filter(status=SubmissionStatus.SUBMITTED).select_related(
        "solution_version"
    )
    demos: dict[int, Submission] = {}  # the first demo application of each version
    for submission in submitted.order_by("pk"):
        if len(_name_keys(submission.solution_version.form_definition)) == 3:
            demos.setdefault(submission.solution_version_id, submission)
    offerings = Offering.objects.select_related("solution_version", "processing_municipality")
    for offering in offerings.order_by("pk"):
        version = offering.solution_version
        # This version's demo application; else one of another version of the same solution,
        # or of a copy of the same form (the extra services).
        demo = demos.get(version.pk) or next(
            (
                s
                for s in demos.values()
                if s.solution_version.solution_id == version.solution_id
                or s.solution_version.form_definition == version.form_definition
            ),
            None,
        )
        if demo is None:
            raise SystemExit(f"no demo application with a named applicant for {offering}")
        keys = _name_keys(demo.solution_version.form_definition)
        given, family = (str(demo.data[keys[k]]) for k in ("given_name", "family_name"))
        answers = search_text_for(
            Submission(solution_version=version, data=demo.data, applicant_name="")
        )
        rows.append(
            (
                len(rows) + 1,
                offering.pk,
                version.pk,
                offering.processing_municipality_id,
                offering.processing_municipality.reference_prefix,
                demo.data,
                demo.completed_steps,
                keys["given_name"],
                keys["family_name"],
                keys["email"],
                answers,
                given.casefold(),
                family.casefold(),
                version.processing_days,
            )
        )
    return rows


CASE_STATUS_SQL = """
    CASE
      WHEN age < 14 THEN CASE WHEN r < 0.5 THEN 'received' WHEN r < 0.9 THEN 'in_review'
                         ELSE 'awaiting_applicant' END
      WHEN age < 90 THEN CASE WHEN r < 0.05 THEN 'received' WHEN r < 0.40 THEN 'in_review'
                         WHEN r < 0.55 THEN 'awaiting_applicant' WHEN r < 0.70 THEN 'decided'
                         WHEN r < 0.98 THEN 'closed' ELSE 'withdrawn' END
      ELSE CASE WHEN r < 0.02 THEN 'in_review' WHEN r < 0.03 THEN 'awaiting_applicant'
           WHEN r < 0.05 THEN 'decided' WHEN r < 0.97 THEN 'closed' ELSE 'withdrawn' END
    END"""

#: Columns of cases_case this generator fills; a NOT NULL column without a default that is
#: missing here (a newer migration) stops it with a clear message.
CASE_COLUMNS = [
    "uuid",
    "submission_id",
    "municipality_id",
    "status",
    "assignee_id",
    "created_at",
    "updated_at",
    "deadline",
    "suspended_at",
    "paused_days",
    "result",
    "closed_at",
    "delete_personal_data_after",
    "personal_data_deleted_at",
    "has_new_reply",
    "search_text",
    "handed_over",
    "offering_id",
]


def _check_columns(cursor: Any, table: str, filled: list[str]) -> None:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
        " AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'id'",
        [table],
    )
    missing = sorted({row[0] for row in cursor.fetchall()} - set(filled))
    if missing:
        raise SystemExit(f"bench/backoffice.py does not fill {table}.{', '.join(missing)}")


def generate(cases: int) -> dict[str, float]:
    """Fill the database with ``cases`` submitted applications and their cases; seconds per
    phase."""
    from django.db import connection
    from psycopg.types.json import Jsonb

    took: dict[str, float] = {}
    tables = ["submissions_submission", "cases_case", "cases_statusentry"]
    with connection.cursor() as cursor:
        _check_columns(cursor, "cases_case", CASE_COLUMNS)
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            "CREATE TEMP TABLE bench_offering (k int, offering_id int, version_id int,"
            " processing_id int, prefix text, data jsonb, steps jsonb, given_key text,"
            " family_key text, email_key text, answers text, tg text, tf text, days int)"
        )
        cursor.executemany(
            "INSERT INTO bench_offering VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, %s, %s)",
            [(*row[:5], Jsonb(row[5]), Jsonb(row[6]), *row[7:]) for row in offering_templates()],
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_clerk AS SELECT m.municipality_id,"
            " row_number() OVER (PARTITION BY m.municipality_id ORDER BY u.id) AS k,"
            " u.id AS user_id FROM tenants_membership m JOIN auth_user u ON u.id = m.user_id"
            " WHERE u.username LIKE 'bench-%%'"
        )
        cursor.execute("SELECT count(*) FROM bench_offering")
        offerings = cursor.fetchone()[0]

        started = time.monotonic()
        cursor.execute(
            """
            WITH source AS (
              SELECT 1 + floor(random() * %(offerings)s)::int AS k,
                     now() - random() * interval '3 years' AS at,
                     (%(given)s::text[])[1 + floor(random() * %(n_given)s)::int] AS g,
                     (%(family)s::text[])[1 + floor(random() * %(n_family)s)::int] AS f
              FROM generate_series(1, %(cases)s)
            ), numbered AS (
              SELECT source.*, o.*, row_number() OVER (
                PARTITION BY o.processing_id, extract(year FROM at) ORDER BY at) AS nr
              FROM source JOIN bench_offering o USING (k)
            )
            INSERT INTO submissions_submission (uuid, offering_id, solution_version_id,
              status, data, completed_steps, trust_level, on_behalf_of_name, on_behalf_of_id,
              applicant_name, applicant_email, language, processing_municipality_id,
              reference_number, access_code_hash, submitted_at, created_at, updated_at)
            SELECT gen_random_uuid(), offering_id, version_id, 'submitted',
              data || jsonb_build_object(given_key, g, family_key, f, email_key,
                lower(g || '.' || f || '@example.de')),
              steps, 'none', '', '', g || ' ' || f, lower(g || '.' || f || '@example.de'),
              'de', processing_id,
              prefix || '-' || extract(year FROM at)::int || '-'
                || lpad((nr + coalesce(counter.last_number, 0))::text, 6, '0'),
              '', at, at, at
            FROM numbered LEFT JOIN submissions_referencesequence counter  -- the demo's
              ON counter.municipality_id = processing_id AND counter.year = extract(year FROM at)
            """,
            {
                "offerings": offerings,
                "given": GIVEN_NAMES,
                "n_given": len(GIVEN_NAMES),
                "family": FAMILY_NAMES,
                "n_family": len(FAMILY_NAMES),
                "cases": cases,
            },
        )
        took["submissions"] = time.monotonic() - started

        started = time.monotonic()
        # Only this module's constants are formatted into the statement.
        cursor.execute(
            f"""
            WITH source AS (
              SELECT s.id, s.processing_municipality_id AS municipality_id, s.submitted_at AS at,
                s.offering_id,
                s.reference_number AS ref, s.applicant_name AS name, o.answers, o.tg, o.tf,
                o.days, extract(day FROM now() - s.submitted_at) AS age, random() AS r,
                1 + floor(random() * {CLERKS_PER_MUNICIPALITY})::int AS clerk,
                random() * 60 AS took_days
              FROM submissions_submission s JOIN bench_offering o ON o.offering_id = s.offering_id
              WHERE s.status = 'submitted'
                AND NOT EXISTS (SELECT 1 FROM cases_case c WHERE c.submission_id = s.id)
            ), with_status AS (
              SELECT source.*, {CASE_STATUS_SQL} AS status FROM source
            ), shaped AS (
              SELECT with_status.*,
                CASE WHEN status IN ('decided', 'closed', 'withdrawn')
                  THEN least(at + took_days * interval '1 day', now()) END AS closed_at
              FROM with_status
            )
            INSERT INTO cases_case ({", ".join(CASE_COLUMNS)})
            SELECT gen_random_uuid(), shaped.id, shaped.municipality_id, status,
              CASE WHEN status = 'received' AND r < 0.3 THEN NULL ELSE c.user_id END,
              at, coalesce(closed_at, at), (at::date + days),
              CASE WHEN status = 'awaiting_applicant' THEN at + interval '3 days' END,
              0,
              CASE status WHEN 'withdrawn' THEN 'withdrawn' WHEN 'closed' THEN
                CASE WHEN r < 0.90 THEN 'approved' WHEN r < 0.94 THEN 'rejected'
                ELSE 'partly_approved' END ELSE '' END,
              CASE WHEN status IN ('closed', 'withdrawn') THEN closed_at END,
              CASE WHEN status IN ('closed', 'withdrawn')
                THEN closed_at + interval '3 years' END,
              NULL, false,
              lower(ref || ' ' || replace(ref, '-', ' ') || ' ' || name || ' ' ||
                replace(replace(answers, tg, lower(split_part(name, ' ', 1))), tf,
                  lower(split_part(name, ' ', 2)))),
              false, shaped.offering_id
            FROM shaped LEFT JOIN bench_clerk c
              ON c.municipality_id = shaped.municipality_id AND c.k = shaped.clerk
            """  # noqa: S608
        )
        took["cases"] = time.monotonic() - started

        started = time.monotonic()
        cursor.execute(
            "INSERT INTO cases_statusentry (case_id, status, comment, actor_id, created_at)"
            " SELECT id, 'received', '', NULL, created_at FROM cases_case"
            " UNION ALL SELECT id, status, '', assignee_id, updated_at FROM cases_case"
            " WHERE status <> 'received'"
        )
        cursor.execute(
            "INSERT INTO submissions_referencesequence (municipality_id, year, last_number)"
            " SELECT processing_municipality_id, split_part(reference_number, '-', 2)::int,"
            " max(split_part(reference_number, '-', 3)::int) FROM submissions_submission"
            " WHERE status = 'submitted' GROUP BY 1, 2"
            " ON CONFLICT (municipality_id, year)"
            " DO UPDATE SET last_number = EXCLUDED.last_number"
        )
        took["status history"] = time.monotonic() - started

        started = time.monotonic()
        for _name, definition in indexes:
            cursor.execute(definition)
        took["indexes"] = time.monotonic() - started
    started = time.monotonic()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    took["vacuum and analyse"] = time.monotonic() - started
    return took


# --- the timings ---------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def seal_answers(case_uuids: list[Any]) -> None:
    """Seal the answers of the cases the benchmark opens, as migration ``submissions/0006``
    seals existing rows: the generator writes them in SQL, which cannot seal (AES-GCM with a
    data key per value), and the inbox never reads them. Already sealed ones stay."""
    from django.db import connection

    from amtsweg.lib import crypto

    context = "submissions_submission.data"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.data FROM submissions_submission s JOIN cases_case c"
            " ON c.submission_id = s.id WHERE c.uuid = ANY(%s)",
            [case_uuids],
        )
        plain = [
            (pk, data)
            for pk, data in cursor.fetchall()
            if not data.startswith(f"{crypto.VERSION}:")
        ]
        cursor.executemany(
            "UPDATE submissions_submission SET data = %s WHERE id = %s",
            [(crypto.encrypt(data.encode("utf-8"), context), pk) for pk, data in plain],
        )


def time_pages(
    repeat: int, profile: str | None = None, only: list[str] | None = None
) -> list[dict[str, Any]]:
    """p50/p95 of the clerk's pages through the real views (Django's test client); with
    ``profile``, a cProfile of each page's timed requests (sorted by it) goes to stderr, and
    ``only`` limits the pages to those kinds."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from amtsweg.cases.models import Case

    clerk = get_user_model().objects.get(username="darmstadt-sb")
    device = TOTPDevice.objects.create(user=clerk, name="bench", confirmed=True)
    client = Client()
    client.force_login(clerk)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    inbox = reverse("cases:inbox", args=["darmstadt"])
    darmstadt_cases = Case.objects.filter(municipality__slug="darmstadt")
    # A service and clerk with cases in review: those of a case in review (the newest).
    offering_uuid, busy = (
        darmstadt_cases.filter(status="in_review")
        .exclude(assignee=None)
        .order_by("-created_at")
        .values_list("offering__uuid", "assignee__username")
        .first()
    )
    family = FAMILY_NAMES[7]
    street_and_name = f"{FAMILY_NAMES[3]} {GIVEN_NAMES[5]}"
    reference = darmstadt_cases.order_by("-created_at").values_list(
        "submission__reference_number", flat=True
    )[0]
    opened = list(darmstadt_cases.order_by("?").values_list("uuid", flat=True)[: repeat + 2])
    seal_answers(opened)
    case_urls = [reverse("cases:detail", args=[uuid]) for uuid in opened]
    pages: list[tuple[str, str, Any]] = [
        ("inbox", "inbox, first page with the counts per status", inbox),
        (
            "filtered",
            "inbox filtered by service + status + assignee, sorted by deadline",
            f"{inbox}?offering={offering_uuid}&status=in_review&assignee={busy}&sort=deadline",
        ),
        ("deadline", "inbox, all open and closed, sorted by deadline", f"{inbox}?sort=deadline"),
        ("search", f"full-text search for a name (“{family}”)", f"{inbox}?q={family}"),
        (
            "search",
            f"full-text search, two words (“{street_and_name}”)",
            f"{inbox}?q={street_and_name}",
        ),
        ("search", "search for an exact reference number", f"{inbox}?q={reference}"),
        ("case", "opening one case (a different one each time)", case_urls),
    ]
    results = []
    for kind, label, target in pages:
        if only and kind not in only:
            continue
        urls = target if isinstance(target, list) else [target] * (repeat + 2)
        for url in urls[:2]:  # warm-up: templates, connection, caches
            _get(client, url)
        statements: list[tuple[float, str]] = []
        with connection.execute_wrapper(_Timed(statements)):
            _get(client, urls[0])
        slowest = sorted(statements, reverse=True)[:3]
        times, cpu = [], []
        profiler = cProfile.Profile() if profile else None
        for url in urls[2 : repeat + 2]:
            started, cpu_started = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            _get(client, url)
            if profiler:
                profiler.disable()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        results.append(
            {
                "kind": kind,
                "label": label,
                "p50": statistics.median(times),
                "p95": _percentile(times, 0.95),
                # This process's CPU (Django, templates, the driver), not PostgreSQL's: on a
                # busy machine it varies far less than the wall time.
                "cpu_p50": statistics.median(cpu),
                "queries": len(statements),
                "database_ms": sum(took for took, _sql in statements),
                "slowest": [(round(took, 1), sql[:300]) for took, sql in slowest],
                "target": TARGETS_MS[kind],
            }
        )
        log(
            f"{label}: p50 {results[-1]['p50']:.0f} ms, p95 {results[-1]['p95']:.0f} ms, "
            f"CPU p50 {results[-1]['cpu_p50']:.1f} ms, "
            f"{len(statements)} statements, {results[-1]['database_ms']:.0f} ms in the database"
        )
        for took, sql in slowest:
            log(f"    {took:6.1f} ms  {sql[:160]}")
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(profile).print_stats(50)
            print(out.getvalue(), file=sys.stderr)
    return results


class _Timed:
    """A database execute wrapper that notes (milliseconds, SQL) of every statement."""

    def __init__(self, into: list[tuple[float, str]]) -> None:
        self.into = into

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.into.append(((time.perf_counter() - started) * 1000, sql))


def _get(client: Any, url: str) -> None:
    answer = client.get(url)
    if answer.status_code != 200:
        raise SystemExit(f"GET {url} answered {answer.status_code}")


def counts() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM cases_case GROUP BY 1 ORDER BY 2 DESC")
        statuses = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(DISTINCT municipality_id), count(*), min(created_at), max(created_at)"
            " FROM cases_case"
        )
        municipalities, total, first, last = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM catalog_service")
        services = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    return {
        "cases": total,
        "municipalities": municipalities,
        "services": services,
        "statuses": statuses,
        "first": first.date().isoformat(),
        "last": last.date().isoformat(),
        "size": size,
    }


# --- the report ----------------------------------------------------------------------------------


def section(outcome: dict[str, Any]) -> str:
    from bench.run import machine

    facts = outcome["data"]
    spec = machine()
    mix = ", ".join(
        f"{status} {count / facts['cases']:.0%}" for status, count in facts["statuses"].items()
    )
    lines = [
        f"## {outcome['started']}: back office at scale (`{outcome['command']}`)",
        "",
        f"- **Machine:** {spec['cores']} cores ({spec['cpu']}), {spec['memory_gib']} GiB, "
        f"PostgreSQL {outcome['postgres']}; code: commit {spec['commit']}.",
        f"- **Data:** {facts['cases']:,} cases of {facts['municipalities']} municipalities and "
        f"{facts['services']} services, received {facts['first']} to {facts['last']} "
        f"({mix}); database {facts['size']}.",
        (
            f"- **Generated in {outcome['generate_total']:.0f} s** (target < 600 s): "
            + ", ".join(f"{phase} {took:.0f} s" for phase, took in outcome["generate"].items())
            + f"; schema, demo and static files before that {outcome['install']:.0f} s."
            if outcome["generate"]
            else "- **Generated** by an earlier run (`--reuse`)."
        ),
        f"- **Timings:** the real views through Django's test client in one process, signed "
        f"in as a Darmstadt clerk, DEBUG off; {outcome['repeat']} requests per page after two "
        "warm-up requests. Darmstadt holds about a sixth of the cases.",
        f"- **Load on the machine:** {outcome['load']}",
        "",
        "| page | p50 ms | p95 ms | target p95 | CPU ms (p50) | SQL statements | reached |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for page in outcome["pages"]:
        reached = "**yes**" if page["p95"] < page["target"] else "**no**"
        lines.append(
            f"| {page['label']} | {page['p50']:.0f} | {page['p95']:.0f} | "
            f"< {page['target']:.0f} | {page['cpu_p50']:.1f} | {page['queries']} | {reached} |"
        )
    return "\n".join(lines) + "\n"


def load_average() -> str:
    with contextlib.suppress(OSError):
        one, five, _fifteen = Path("/proc/loadavg").read_text().split()[:3]
        return f"load average {one} (1 min), {five} (5 min) on {os.cpu_count()} cores."
    return "unknown."


#: The key of a quick run's hold on its database, a session advisory lock: a key space of its
#: own (the first key, "amtw" in ASCII) and the hash of the database's name.
QUICK_RUN_KEY = "1634563191, hashtext(%s)"


@contextlib.contextmanager
def claimed_database(url: str) -> Iterator[None]:
    """Hold the database at ``url`` for a quick run while it lasts: a lock of the server's
    (``pg_advisory_lock``) that ends with the session holding it, however the run ends, so
    that ``drop_abandoned_quick_databases`` of another run, on any machine, leaves it alone."""
    import psycopg

    from bench.run import database_name, postgres_admin_url

    with psycopg.connect(postgres_admin_url(url), autocommit=True) as holder:
        holder.execute(f"SELECT pg_advisory_lock({QUICK_RUN_KEY})", [database_name(url)])
        yield


def quick_databases_like(name: str) -> str:
    """The ``LIKE`` pattern of the quick runs' databases beside ``name`` (its ``_`` literal)."""
    return name.replace("_", r"\_") + r"\_quick\_%"


def drop_abandoned_quick_databases(url: str, say: Callable[[str], None] = log) -> list[str]:
    """Drop the databases of earlier quick runs (``<name>_quick_<pid>`` beside ``url``'s)
    that no run holds (``claimed_database``) and nobody is connected to; the names dropped.

    A quick run drops its own database when it ends, but not when it is killed (SIGTERM,
    SIGKILL, a CI job cancelled), nor with ``--keep``; each one's name differs, so without
    this every killed ``make test`` would leave a database of 5,000 cases on the server."""
    import psycopg
    from psycopg import sql

    from bench.run import database_name, postgres_admin_url

    pattern = quick_databases_like(database_name(url))
    dropped = []
    with psycopg.connect(postgres_admin_url(url), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_stat_activity AS a WHERE a.datname = pg_database.datname)",
            [pattern],
        ).fetchall()
        for (name,) in rows:
            lock = connection.execute(f"SELECT pg_try_advisory_lock({QUICK_RUN_KEY})", [name])
            if not lock.fetchone()[0]:
                continue  # its run goes on
            try:  # without FORCE: one that somebody has just connected to stays
                connection.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
                dropped.append(name)
            except (psycopg.errors.ObjectInUse, psycopg.errors.InsufficientPrivilege) as error:
                say(f"kept {name}: {str(error).strip()}")
            finally:
                connection.execute(f"SELECT pg_advisory_unlock({QUICK_RUN_KEY})", [name])
    return dropped


def measure(
    args: argparse.Namespace, argv: list[str] | None, cases: int, repeat: int
) -> dict[str, Any]:
    """Make the database at ``args.postgres_url`` (unless ``--reuse``), fill it with ``cases``
    cases and time the pages; what the section reports. The database is dropped afterwards
    unless ``--keep`` or ``--reuse``."""
    from bench.run import recreate_postgres

    started = datetime.datetime.now().astimezone()
    var_dir = Path(tempfile.mkdtemp(prefix="amtsweg-bench-backoffice-"))
    configure(args.postgres_url, var_dir)
    import django

    outcome: dict[str, Any] = {
        "started": started.isoformat(sep=" ", timespec="seconds"),
        "command": "make bench-quick" if args.quick else "make bench",
        "repeat": repeat,
    }
    if argv or len(sys.argv) > 2:
        outcome["command"] += f" (python -m bench backoffice {' '.join(argv or sys.argv[2:])})"
    try:
        if not args.reuse:
            outcome["postgres"] = recreate_postgres(args.postgres_url)
        django.setup()
        from django.db import connection

        if args.reuse:
            outcome["postgres"] = connection.cursor().connection.info.parameter_status(
                "server_version"
            )
            outcome.update(install=0.0, generate={}, generate_total=0.0)
        else:
            begin = time.monotonic()
            log("migrate, load the demo, collect static files")
            install()
            add_services_and_clerks()
            outcome["install"] = time.monotonic() - begin
            log(f"generating {cases:,} cases")
            begin = time.monotonic()
            outcome["generate"] = generate(cases)
            outcome["generate_total"] = time.monotonic() - begin
            log(f"generated in {outcome['generate_total']:.0f} s: {outcome['generate']}")
        outcome["postgres"] += f", {postgres_transport(args.postgres_url)}"
        outcome["data"] = counts()
        outcome["load"] = load_average()
        outcome["pages"] = time_pages(repeat, args.profile, args.only)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        if not (args.keep or args.reuse):
            from django.db import connections

            connections.close_all()
            with contextlib.suppress(Exception):
                recreate_postgres(args.postgres_url, drop_only=True)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench backoffice", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="5,000 cases, 3 repetitions, in a database of its own (the name + _quick_<pid>; "
        "with --keep, kept until the next quick run)",
    )
    parser.add_argument("--cases", type=int, help="how many cases (default 1,000,000)")
    parser.add_argument("--repeat", type=int, help="requests per page (default 30)")
    parser.add_argument(
        "--postgres-url",
        help="a database this may drop and create (default: $BENCH_BACKOFFICE_URL, else "
        "amtsweg_bench_backoffice on this machine's server, through its Unix socket where it "
        "answers)",
    )
    parser.add_argument("--reuse", action="store_true", help="time an earlier run's database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="cumulative",
        metavar="SORT",
        help="print a cProfile of each page's timed requests, sorted by SORT (default "
        "cumulative; tottime); the timings then include the profiler's cost",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(TARGETS_MS),
        help="time only this kind of page (repeatable)",
    )
    args = parser.parse_args(argv)
    cases = args.cases or (5_000 if args.quick else 1_000_000)
    repeat = args.repeat or (3 if args.quick else 30)

    args.postgres_url = args.postgres_url or bench_postgres_url(
        "BENCH_BACKOFFICE_URL", "amtsweg_bench_backoffice"
    )
    with run_database(args.postgres_url, quick=args.quick) as url:
        if url is None:
            return 0 if args.quick else 1
        args.postgres_url = url
        outcome = measure(args, argv, cases, repeat)
    write = not args.quick and not args.no_write and not (args.profile or args.only)
    report.publish(section(outcome), write, log)
    return 0
