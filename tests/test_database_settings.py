"""The database settings made from ``DATABASE_URL`` (``amtsweg.lib.databases``): our options
for load never replace what the URL says, least of all how PostgreSQL checks its TLS peer."""

from amtsweg.lib.databases import database_settings

POSTGRES = "postgres://amtsweg:geheim@db.example:5432/amtsweg"


def test_postgres_gets_prepared_statements_and_keeps_the_url_s_options():
    url = f"{POSTGRES}?sslmode=verify-full&sslrootcert=/etc/amtsweg/ca.pem"

    database = database_settings(url, conn_max_age=60, prepared_statements=True)

    assert database["ENGINE"] == "amtsweg.lib.postgresql"
    assert database["OPTIONS"] == {
        "sslmode": "verify-full",
        "sslrootcert": "/etc/amtsweg/ca.pem",
        "server_side_binding": True,
        "prepare_threshold": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 3,
        "keepalives_count": 3,
    }
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_postgres_behind_a_pooler_binds_on_the_client():
    database = database_settings(
        f"{POSTGRES}?sslmode=require&keepalives_idle=60", conn_max_age=0, prepared_statements=False
    )

    assert database["ENGINE"] == "amtsweg.lib.postgresql"
    assert database["OPTIONS"] == {
        "sslmode": "require",
        "keepalives_idle": 60,  # the URL's own
        "keepalives_interval": 3,
        "keepalives_count": 3,
    }
    assert database["CONN_MAX_AGE"] == 0


def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    database = database_settings(
        "sqlite:////tmp/amtsweg.sqlite3", conn_max_age=60, prepared_statements=True
    )

    assert database["ENGINE"] == "amtsweg.lib.sqlite"
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert "server_side_binding" not in database["OPTIONS"]
