"""Who a decision letter is from and to: the responsible authority's letterhead, the office
that processed it, and the applicant's postal address for the address window.

IKZ (interkommunale Zusammenarbeit) model: Amtsweg treats an offering processed by another
municipality as a *mandating* agreement (mandatierende Vereinbarung, § 25 Abs. 1 Satz 2 KGG
Hessen and the like in other states): the municipality where the citizen applied stays the
responsible authority; the processing municipality does the work *im Auftrag* and in the name
of the responsible one. So a decision carries the offering municipality's letterhead and its
notice of legal remedies (the objection goes to the authority that issued the decision,
§ 70 VwGO), and names the processing municipality as the office acting on its behalf, with its
contact data. See docs/adr/0006-ikz-letterheads.md for why not the delegating model.
"""

from dataclasses import dataclass
from typing import Any

from amtsweg.cases.models import Case
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Municipality

#: Prefill sources (forms.definition) that mark a form's separate address fields, by part.
ADDRESS_SOURCES = {
    "bundid.street_and_number": "street",
    "bundid.postcode": "postcode",
    "bundid.city": "city",
}
#: Field keys read as the address when the form marks none (the demo forms' and most FIM ones).
ADDRESS_KEYS = {"street": "street", "postcode": "postcode", "city": "city"}


@dataclass(frozen=True)
class Letterhead:
    """The sender side of a letter: the responsible authority and, under IKZ, the processor."""

    authority: Municipality
    processed_by: Municipality | None

    @property
    def return_address(self) -> str:
        """The one-line sender above the address window (Rücksendeangabe, DIN 5008)."""
        authority = self.authority
        parts = [
            authority.authority_name or authority.name,
            authority.street,
            f"{authority.postcode} {authority.city}".strip(),
        ]
        return " · ".join(part for part in parts if part)


def letterhead_for(case: Case) -> Letterhead:
    """The offering municipality is the responsible authority; the case's (processing)
    municipality is named as acting on its behalf when it is another one."""
    offering = case.submission.offering
    processed_by = case.municipality if case.municipality_id != offering.municipality_id else None
    return Letterhead(authority=offering.municipality, processed_by=processed_by)


def _top_level_fields(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """Fields outside repeatable groups (a repeated address is no one's postal address)."""
    found: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if item.get("type") == "group":
                if not item.get("repeatable"):
                    walk(item.get("fields", []))
            else:
                found.append(item)

    for step in definition.get("steps", []):
        walk(step.get("fields", []))
    return found


def _value(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def postal_address(submission: Submission) -> list[str]:
    """The applicant's postal address as letter lines (street, town), or [] when the form has
    none. Read from the form's answers, which hold what the applicant typed or what BundID
    filled in: the first ``address`` field, else the fields prefilled from BundID's street,
    postcode and town, else fields named ``street``, ``postcode`` and ``city``.

    Only top-level answers count; the Citizen row holds no address (BundID data is kept with
    the submission only).
    """
    fields = _top_level_fields(submission.solution_version.form_definition)
    data = submission.data or {}
    for item in fields:
        value = data.get(item["key"])
        if item.get("type") == "address" and isinstance(value, dict):
            street = " ".join(
                part for part in (value.get("street"), value.get("house_number")) if part
            )
            town = " ".join(part for part in (value.get("postcode"), value.get("city")) if part)
            return [line for line in (street, value.get("addition", ""), town) if line]
    parts = {
        ADDRESS_SOURCES[item["prefill"]]: _value(data, item["key"])
        for item in fields
        if item.get("prefill") in ADDRESS_SOURCES
    }
    if not parts.get("street"):
        parts = {part: _value(data, key) for key, part in ADDRESS_KEYS.items()}
    town = " ".join(part for part in (parts.get("postcode"), parts.get("city")) if part)
    return [line for line in (parts.get("street", ""), town) if line]


def addressee_lines(submission: Submission) -> list[str]:
    """The address window's lines: the organisation applied for, the applicant, the postal
    address (at most six lines, as DIN 5008's address zone holds)."""
    lines = [submission.on_behalf_of_name, submission.applicant_name]
    return [line for line in lines if line][:2] + postal_address(submission)[:4]
