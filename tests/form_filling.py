"""Fill any form definition with valid answers, as a careful applicant would.

Used by journey tests (and the benchmarks) so that they work for every demo service instead of
hard-coding one form's field keys.
"""

import datetime
from typing import Any


def valid_answer(field: dict[str, Any]) -> list[str]:
    """What a browser would send for ``field`` when the applicant answers it correctly."""
    kind = field["type"]
    today = datetime.date.today()
    if kind == "notice":
        return []
    if kind == "email":
        return ["erika.mustermann@example.de"]
    if kind == "postcode":
        return ["64283"]
    if kind == "number":
        return [str(field.get("min", 1))]
    if kind == "date":
        if field.get("not_before_today"):
            return [(today + datetime.timedelta(days=7)).isoformat()]
        return [(today - datetime.timedelta(days=400)).isoformat()]
    if kind == "choice":
        return [field["options"][0]["value"]]
    if kind == "yesno":
        return ["no"]
    return ["Mustermann"[: field.get("max_length", 200)]]


def valid_step_post(step: dict[str, Any]) -> dict[str, list[str]]:
    """POST data for one step with every field answered correctly."""
    return {
        field["key"]: answer for field in step.get("fields", []) if (answer := valid_answer(field))
    }
