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
    if kind in ("notice", "file"):  # uploads travel as files, not as form values
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


def valid_items_post(items: list[dict[str, Any]], prefix: str = "") -> dict[str, list[str]]:
    """POST data answering ``items`` correctly; groups get nested names, repeatable groups
    their minimum number of entries (at least one)."""
    post: dict[str, list[str]] = {}
    for item in items:
        name = f"{prefix}{item['key']}"
        if item["type"] == "group" and item.get("repeatable"):
            count = max(item.get("min_items", 0), 1)
            post[f"{name}.__items"] = [str(count)]
            for index in range(count):
                post.update(valid_items_post(item["fields"], f"{name}.{index}."))
        elif item["type"] == "group":
            post.update(valid_items_post(item["fields"], f"{name}."))
        elif item["type"] != "computed" and (answer := valid_answer(item)):
            post[name] = answer
    return post


def valid_step_post(step: dict[str, Any]) -> dict[str, list[str]]:
    """POST data for one step with every field answered correctly."""
    return valid_items_post(step.get("fields", []))
