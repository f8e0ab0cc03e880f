"""The GIN index for the inbox's German full-text search, on PostgreSQL only.

It indexes exactly the expression ``cases.search.search_vector()`` compiles to, so the
planner uses it; on other databases the search reads ``search_text`` directly and there is
nothing to create. Not in ``Case.Meta.indexes``, because that would have to exist on SQLite.
"""

from django.db import migrations

INDEX = "case_search_german_idx"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_case USING gin "
    "(to_tsvector('german'::regconfig, COALESCE(search_text, '')))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_fill_deadlines_and_search_text")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
