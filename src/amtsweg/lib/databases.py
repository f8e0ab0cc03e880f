"""Django's database settings from ``DATABASE_URL``, with what each backend needs under load."""

from typing import Any

import dj_database_url

#: Django's SQLite backend, converting each statement's placeholders once per process.
SQLITE_ENGINE = "amtsweg.lib.sqlite"
#: Django's own SQLite backend, which dj_database_url gives for a SQLite URL.
DJANGO_SQLITE_ENGINE = "django.db.backends.sqlite3"
#: SQLite in WAL mode with immediate transactions: one command to start, and no "database is
#: locked" surprises under concurrent writers.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}
#: Parameters bound by the server, and a statement prepared the second time a connection runs
#: it: PostgreSQL then neither parses nor plans the submit's statements again (a third less of
#: its CPU per submit; docs/adr/0010).
POSTGRES_PREPARED = {"server_side_binding": True, "prepare_threshold": 1}
#: Django's PostgreSQL backend with a health check that costs no round trip.
POSTGRES_ENGINE = "amtsweg.lib.postgresql"
#: TCP keepalives: a connection idle for 10 s is probed every 3 s, and after 3 probes without
#: an answer (or one reset) it is in error. That is how the health check of
#: ``amtsweg.lib.postgresql`` learns of a server host that died without closing its
#: connections, within about 20 s. Ignored on a Unix socket.
POSTGRES_KEEPALIVES = {"keepalives_idle": 10, "keepalives_interval": 3, "keepalives_count": 3}


def database_settings(url: str, *, conn_max_age: int, prepared_statements: bool) -> dict[str, Any]:
    """The settings of the database at ``url``. Options the URL gives (PostgreSQL's
    ``sslmode``, say) are kept: ours only fill in what it leaves out. ``prepared_statements``
    is off behind a connection pooler in transaction mode, which cannot keep them."""
    database = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    options = database.setdefault("OPTIONS", {})
    ours: dict[str, Any] = {}
    if is_sqlite(database):
        database["ENGINE"] = SQLITE_ENGINE
        ours = SQLITE_OPTIONS
    elif database["ENGINE"] == "django.db.backends.postgresql":
        database["ENGINE"] = POSTGRES_ENGINE
        ours = {**POSTGRES_KEEPALIVES, **(POSTGRES_PREPARED if prepared_statements else {})}
    for name, value in ours.items():
        options.setdefault(name, value)
    return database


def is_sqlite(database: dict[str, Any]) -> bool:
    """Whether the database settings ``database`` are SQLite's."""
    return database["ENGINE"] in {SQLITE_ENGINE, DJANGO_SQLITE_ENGINE}
