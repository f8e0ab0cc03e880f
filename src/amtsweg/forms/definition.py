"""Reading and checking form definitions.

A definition (JSON, ``schema_version`` 1) is a list of steps; each step holds items, and an item
is a field or a group (``"type": "group"``) of further items. Keys are unique among their
siblings. Answers nest the same way: a group's answers are an object, a repeatable group's a
list of objects (``"repeatable": true`` with ``min_items``/``max_items``).

Logic is JsonLogic (see ``amtsweg.forms.logic``): ``visible_if`` on steps, groups and fields,
``required_if`` on fields, ``value`` on computed fields, and ``rules`` on steps (cross-field
checks: ``{"check": <logic>, "field": <key>, "message": <text>}``). Variables are dotted paths
into the answers (``"owner.family_name"``); inside a repeatable group ``item.<key>`` names the
current entry's answer. ``$options.<key>`` names the value the offering chose for one of the
configurable options its solution version declares (``SolutionVersion.options``), so a publisher
can make steps and fields depend on an adopter's choice; ``$`` cannot start an answer key.
"""

from collections.abc import Iterator
from typing import Any

from amtsweg.forms import logic
from amtsweg.forms.registry import registry

SCHEMA_VERSION = 1
APPLICANT_ATTRIBUTES = {"given_name", "family_name", "email"}
#: Identity attributes a field may be prefilled from (``"prefill": "bundid.<name>"``), with the
#: field types that can hold each; ``"locked": true`` keeps the identity's value unchangeable.
PREFILL_SOURCES: dict[str, set[str]] = {
    **{
        f"bundid.{name}": {"text", "textarea"}
        for name in (
            "given_name",
            "family_name",
            "street",
            "house_number",
            "street_and_number",
            "city",
            "organisation_name",
            "organisation_id",
        )
    },
    "bundid.birth_date": {"date", "text"},
    "bundid.postcode": {"postcode", "text"},
    "bundid.email": {"email", "text"},
    "bundid.address": {"address"},
}
GROUP = "group"
#: The namespace of the offering's option values in the data conditions read.
OPTIONS = "$options"
LOGIC_KEYS = ("visible_if", "required_if", "value")


class DefinitionError(ValueError):
    """The form definition itself is broken; ``problems`` lists what a designer must fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def is_group(item: dict[str, Any]) -> bool:
    return item.get("type") == GROUP


def steps_of(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return definition["steps"]


def step_index(definition: dict[str, Any], step_key: str) -> int | None:
    """The position of ``step_key`` in the form, or None for an unknown step."""
    for index, step in enumerate(definition["steps"]):
        if step["key"] == step_key:
            return index
    return None


def walk(items: list[dict[str, Any]], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every item below ``items`` with its schema path (``"dogs.name"``), depth first."""
    for item in items:
        path = f"{prefix}{item.get('key')}"
        yield path, item
        if is_group(item):
            yield from walk(item.get("fields", []), f"{path}.")


def check_definition(
    definition: dict[str, Any], options: list[dict[str, Any]] | None = None
) -> None:
    """Raise ``DefinitionError`` listing every problem of a form definition, including logic
    that reads unknown answers or options the version does not declare (``options``: the
    version's configurable options), and logic with cycles (a rule whose output feeds its
    input)."""
    problems: list[str] = []
    if definition.get("schema_version") != SCHEMA_VERSION:
        problems.append(f"schema_version must be {SCHEMA_VERSION}.")
    steps = definition.get("steps")
    if not isinstance(steps, list) or not steps:
        raise DefinitionError([*problems, "A form needs at least one step."])
    step_keys = [step.get("key") for step in steps]
    for key in {key for key in step_keys if not key or step_keys.count(key) > 1}:
        problems.append(f"Step key {key!r} is missing or used twice.")
    answer_keys = [
        key for step in steps for key in {item.get("key") for item in step.get("fields", [])}
    ]
    for key in sorted({k for k in answer_keys if k and answer_keys.count(k) > 1}):
        problems.append(
            f"Key {key!r} is used in more than one step; the answers of all steps are one "
            "object, so each top-level key may appear once."
        )
    paths: dict[str, dict[str, Any]] = {}
    for step in steps:
        if not step.get("title"):
            problems.append(f"Step {step.get('key')!r} has no title.")
        problems.extend(_check_items(step.get("fields", []), "", paths))
        problems.extend(_check_logic(step, f"step {step.get('key')!r}"))
        for rule in step.get("rules", []):
            problems.extend(_check_logic({"visible_if": rule.get("check")}, "a step rule"))
            if not rule.get("message"):
                problems.append(f"A rule of step {step.get('key')!r} has no message.")
    if not problems:
        problems.extend(_check_dependencies(steps, paths))
        problems.extend(_check_options(steps, options or []))
    if problems:
        raise DefinitionError(problems)


def _check_items(
    items: list[dict[str, Any]], prefix: str, paths: dict[str, dict[str, Any]]
) -> list[str]:
    problems: list[str] = []
    keys = [item.get("key") for item in items]
    for item in items:
        key, type_name = item.get("key"), item.get("type")
        path = f"{prefix}{key}"
        if not key or "." in str(key) or keys.count(key) > 1:
            problems.append(f"Key {path!r} is missing, contains a dot or is used twice.")
            continue
        if str(key).startswith("$"):
            problems.append(f"Key {path!r} starts with “$”, which is kept for {OPTIONS}.")
            continue
        paths[path] = item
        problems.extend(_check_logic(item, repr(path)))
        if type_name == GROUP:
            if not item.get("label"):
                problems.append(f"Group {path!r} has no label.")
            if not item.get("fields"):
                problems.append(f"Group {path!r} has no fields.")
            low, high = item.get("min_items", 0), item.get("max_items")
            if high is not None and high < max(low, 1):
                problems.append(f"Group {path!r}: max_items is below min_items.")
            if item.get("repeatable") and any(
                "prefill" in child for _child_path, child in walk(item.get("fields", []))
            ):
                problems.append(f"Group {path!r} is repeatable; its fields cannot be prefilled.")
            problems.extend(_check_items(item.get("fields", []), f"{path}.", paths))
            continue
        if type_name not in registry:
            problems.append(f"Field {path!r} has the unknown type {type_name!r}.")
            continue
        if registry[type_name].holds_data and not item.get("label"):
            problems.append(f"Field {path!r} has no label.")
        applicant = item.get("applicant")
        if applicant and applicant not in APPLICANT_ATTRIBUTES:
            problems.append(f"Field {path!r} names the unknown applicant attribute {applicant!r}.")
        problems.extend(_check_prefill(item, path))
        problems.extend(registry[type_name].check_definition(item))
    return problems


def _check_prefill(item: dict[str, Any], path: str) -> list[str]:
    """``prefill`` names a known source that fits the field's type; ``locked`` needs it."""
    source = item.get("prefill")
    if source is None:
        if item.get("locked"):
            return [f"Field {path!r} is locked but has no prefill source."]
        return []
    if source not in PREFILL_SOURCES:
        known = ", ".join(sorted(PREFILL_SOURCES))
        return [f"Field {path!r} names the unknown prefill source {source!r} (known: {known})."]
    if item.get("type") not in PREFILL_SOURCES[source]:
        kind = item.get("type")
        return [f"Field {path!r} of type {kind!r} cannot be prefilled from {source!r}."]
    if "locked" in item and not isinstance(item["locked"], bool):
        return [f"Field {path!r}: locked must be true or false."]
    return []


def _check_logic(item: dict[str, Any], where: str) -> list[str]:
    problems = []
    for name in LOGIC_KEYS:
        if name in item:
            try:
                problems.extend(f"{where} {name}: {p}" for p in logic.check_rule(item[name]))
            except logic.LogicError as error:
                problems.append(f"{where} {name}: {error}")
    return problems


def _schema_path(variable: str, owner: str) -> str:
    """Map a rule variable to a schema path: drop list indexes, resolve ``item.``."""
    if variable.startswith("item."):
        group = owner.rsplit(".", 1)[0] if "." in owner else ""
        variable = f"{group}.{variable[5:]}" if group else variable[5:]
    return ".".join(part for part in variable.split(".") if not part.isdigit())


def _check_dependencies(
    steps: list[dict[str, Any]], paths: dict[str, dict[str, Any]]
) -> list[str]:
    """Unknown variables, and cycles among fields' logic (found by depth-first search)."""
    problems: list[str] = []
    depends: dict[str, set[str]] = {}
    for path, item in paths.items():
        needed: set[str] = set()
        for name in LOGIC_KEYS:
            if name in item:
                needed |= {_schema_path(v, path) for v in logic.variables(item[name])}
        needed = {variable for variable in needed if not _is_option(variable)}
        for variable in needed:
            if variable not in paths and not any(p.startswith(f"{variable}.") for p in paths):
                problems.append(f"{path!r} reads the unknown answer {variable!r}.")
        depends[path] = {variable for variable in needed if variable in paths}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for required in depends.get(node, ()):
            if state.get(required) == 1:
                cycle = (
                    [*trail[trail.index(required) :], required]
                    if required in trail
                    else [
                        node,
                        required,
                    ]
                )
                problems.append("Logic cycle: " + " → ".join(cycle))
            elif not state.get(required):
                visit(required, [*trail, required])
        state[node] = 2

    for node in depends:
        if not state.get(node):
            visit(node, [node])
    return problems


def _is_option(variable: str) -> bool:
    return variable == OPTIONS or variable.startswith(f"{OPTIONS}.")


def option_references(definition: dict[str, Any]) -> set[str]:
    """The keys of the options the definition's logic reads (``$options.<key>``)."""
    found: set[str] = set()
    for step in definition.get("steps", []):
        rules = [step.get(name) for name in LOGIC_KEYS if name in step]
        rules += [rule.get("check") for rule in step.get("rules", [])]
        rules += [
            item[name]
            for _path, item in walk(step.get("fields", []))
            for name in LOGIC_KEYS
            if name in item
        ]
        for rule in rules:
            found |= {
                variable[len(OPTIONS) + 1 :].split(".")[0]
                for variable in logic.variables(rule)
                if variable.startswith(f"{OPTIONS}.")
            }
    return found


def _check_options(steps: list[dict[str, Any]], options: list[dict[str, Any]]) -> list[str]:
    """Logic may read only the options the version declares: an undeclared one would be
    missing in every offering, and its condition would silently never hold."""
    declared = {option.get("key") for option in options if isinstance(option, dict)}
    unknown = option_references({"steps": steps}) - declared
    listed = ", ".join(sorted(str(key) for key in declared)) or "none"
    return [
        f"The logic reads the option {key!r} ({OPTIONS}.{key}), which this version does not "
        f"declare (declared options: {listed})."
        for key in sorted(unknown)
    ]


def field_kinds(definition: dict[str, Any]) -> dict[str, str]:
    """Schema path → field type for every field of the form, for the browser's logic script."""
    return {
        path: item["type"]
        for step in definition["steps"]
        for path, item in walk(step.get("fields", []))
        if not is_group(item)
    }
