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
    simple = {
        "email": "erika.mustermann@example.de",
        "postcode": "64283",
        "phone": "06151 123456",
        "iban": "DE02120300000000202051",
        "tax_id": "12345678995",
        "ags": "06411000",
        "time": "09:30",
        "yesno": "no",
    }
    if kind in ("notice", "file", "computed", "address"):
        return []  # uploads travel as files; computed values are worked out; address: parts
    if kind in simple:
        return [simple[kind]]
    if kind in ("number", "decimal", "currency"):
        return [str(field.get("min", 1))]
    if kind == "date":
        if field.get("not_before_today"):
            return [(today + datetime.timedelta(days=7)).isoformat()]
        return [(today - datetime.timedelta(days=400)).isoformat()]
    if kind in ("choice", "select", "multichoice"):
        return [field["options"][0]["value"]]
    if kind == "codelist":
        return [field["codelist"]["codes"][0]["code"]]
    return ["Mustermann"[: field.get("max_length", 200)]]


ADDRESS = {
    "street": "Luisenplatz",
    "house_number": "5",
    "postcode": "64283",
    "city": "Darmstadt",
}


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
        elif item["type"] == "address":
            post.update({f"{name}.{part}": [value] for part, value in ADDRESS.items()})
        elif item["type"] == "date":  # three boxes: day, month, year
            day = datetime.date.fromisoformat(valid_answer(item)[0])
            post.update({f"{name}.day": [str(day.day)], f"{name}.month": [str(day.month)]})
            post[f"{name}.year"] = [str(day.year)]
        elif answer := valid_answer(item):
            post[name] = answer
    return post


def valid_step_post(step: dict[str, Any]) -> dict[str, list[str]]:
    """POST data for one step with every field answered correctly."""
    return valid_items_post(step.get("fields", []))
