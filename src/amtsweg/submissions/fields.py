"""``EncryptedJSONField``: a JSON value that is stored encrypted (ADR 0008).

The code reads and writes a dict as with ``JSONField``; the database holds only the sealed text
of ``amtsweg.lib.crypto`` in a text column. Consequently the database cannot look inside:
no ``data__key`` lookups, no JSON indexes (nothing needs them; the inbox searches
``Case.search_text``).
"""

import json
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from amtsweg.lib import crypto


class EncryptedJSONField(models.Field):
    """A JSON-serialisable value, sealed with the installation's data key on its way to the
    database and opened on the way back. The sealed value is bound to ``<table>.<column>``."""

    empty_strings_allowed = False

    def get_internal_type(self) -> str:
        return "TextField"

    @property
    def context(self) -> str:
        """Where the value lives; the associated data of its seal."""
        return f"{self.model._meta.db_table}.{self.column}"

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return crypto.encrypt(plain.encode("utf-8"), self.context)

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> Any:
        if value is None:
            return None
        return json.loads(crypto.decrypt(value, self.context))

    def get_lookup(self, lookup_name: str) -> Any:
        # Comparing sealed values says nothing (every seal is different); only NULL checks work.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def value_to_string(self, obj: models.Model) -> Any:
        return self.value_from_object(obj)
