"""Checking answers against a form definition: one step at a time in the online assistant, and
the whole data set at submit. Both run the same code, so the submit check can never be more
lenient than the pages were."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amtsweg.forms import logic
from amtsweg.forms.bound import BoundField, BoundGroup, BoundItem
from amtsweg.forms.definition import OPTIONS, is_group, walk
from amtsweg.forms.registry import FieldError, registry
from amtsweg.forms.text import localized

ITEMS_SUFFIX = "__items"
# Control characters other than tab and line breaks: never meaningful in an answer, and NUL
# cannot even be stored in PostgreSQL's JSON.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: A field that ``lenient_values`` did not parse (a computed one).
_NOT_PARSED = object()
MAX_ITEMS = 100
COMPUTED = "computed"


@dataclass
class StepResult:
    """The outcome of checking one step: cleaned answers, the bound items to show again, the
    items with errors (for the error summary) and messages not tied to one field."""

    values: dict[str, Any]
    fields: list[BoundItem]
    errors: list[BoundItem] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and not self.messages


def is_visible(item: dict[str, Any], context: dict[str, Any]) -> bool:
    rule = item.get("visible_if")
    return rule is None or logic.truthy(logic.evaluate(rule, context))


def with_options(data: dict[str, Any], options: dict[str, Any] | None) -> dict[str, Any]:
    """The data conditions read: the answers plus the offering's chosen option values under
    ``$options`` (a name no answer key can have), e.g. ``{"var": "$options.pickup"}``."""
    return {**data, OPTIONS: dict(options or {})}


def default_options(declared: list[dict[str, Any]] | None) -> dict[str, Any]:
    """Each declared configurable option with its default value: what a preview or a scenario
    assumes until someone chooses otherwise."""
    return {option["key"]: option.get("default") for option in declared or []}


def hidden_by_options(item: dict[str, Any], options: dict[str, Any] | None) -> bool:
    """Whether ``item``'s condition reads only option values and is false for ``options``:
    then no applicant of such an offering ever sees it, whatever they answer (a preview leaves
    it out; items whose condition reads answers stay in)."""
    rule = item.get("visible_if")
    names = logic.variables(rule) if rule is not None else set()
    if not names or not all(n == OPTIONS or n.startswith(f"{OPTIONS}.") for n in names):
        return False
    return not is_visible(item, with_options({}, options))


def visible_steps(
    definition: dict[str, Any], data: dict[str, Any], options: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The steps the applicant has to go through, given the answers so far and the
    offering's option values."""
    context = with_options(data, options)
    return [step for step in definition["steps"] if is_visible(step, context)]


def validate_step(
    step: dict[str, Any],
    raw: dict[str, list[str]],
    data: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    language: str | None = None,
) -> StepResult:
    """Check what the browser sent for one step (``raw``: HTML name → sent strings) in the
    context of the answers of the other steps (``data``) and the offering's option values
    (``options``). Hidden items are neither validated nor stored. The form definition's texts
    (labels, help, rule messages) are in ``language``, by default the active one, read once:
    each read is dear (``amtsweg.lib.per_render``), so a caller that checks several steps
    reads it for all. The messages around them are in the active language."""
    data = data or {}
    checker, bound, values = _checked(step, raw, data, options, language or get_language())
    messages: list[str] = []
    answers = with_options({**data, **values}, options)
    failed = {bound.name for bound in checker.errors}
    for rule in step.get("rules", []):
        # While an answer the rule reads is invalid (or missing but required), that field's
        # own error says what to fix, and the rule waits. An empty optional answer is null to
        # the rule, so "at least one of" rules work.
        if logic.variables(rule["check"]) & failed:
            continue
        if logic.truthy(logic.evaluate(rule["check"], answers)):
            continue
        message = localized(rule["message"], checker.language)
        target = next((b for b in bound if b.key == rule.get("field")), None)
        if isinstance(target, BoundField) and not target.error and target.shown:
            target.error = message
            checker.errors.append(target)
        else:
            messages.append(message)
    return StepResult(values=values, fields=bound, errors=checker.errors, messages=messages)


def _checked(
    step: dict[str, Any],
    raw: dict[str, list[str]],
    data: dict[str, Any],
    options: dict[str, Any] | None,
    language: str | None,
    explain: bool = True,
) -> tuple["_Checker", list[BoundItem], dict[str, Any]]:
    """The step's fields checked one by one (``validate_step`` adds the step's rules)."""
    items = step.get("fields", [])
    parsed: dict[str, Any] = {}
    lenient = lenient_values(items, raw, "", parsed)
    context = with_options({**data, **lenient}, options)
    checker = _Checker(raw, context, {item["key"] for item in items}, language, explain, parsed)
    bound, values = checker.items(items, "", None)
    return checker, bound, values


class _Checker:
    def __init__(
        self,
        raw: dict[str, list[str]],
        context: dict[str, Any],
        step_keys: set[str],
        language: str | None,
        explain: bool,
        parsed: dict[str, Any],
    ):
        self.raw = raw
        self.context = context
        self.step_keys = step_keys
        self.errors: list[BoundItem] = []
        self.language = language
        #: Whether a missing answer gets its message (not where the errors are dropped).
        self.explain = explain
        #: What ``lenient_values`` parsed, by HTML name: each field is parsed once.
        self.parsed = parsed

    def items(
        self, items: list[dict[str, Any]], prefix: str, entry: dict[str, Any] | None
    ) -> tuple[list[BoundItem], dict[str, Any]]:
        bound_items: list[BoundItem] = []
        values: dict[str, Any] = {}
        context = self.context if entry is None else {**self.context, "item": entry}
        for item in items:
            name = f"{prefix}{item['key']}"
            visible = is_visible(item, context)
            if is_group(item):
                errors_before = len(self.errors)
                bound, value = self.group(item, name, visible)
                if not visible:
                    del self.errors[errors_before:]
            else:
                bound, value = self.field(item, name, visible, context)
            bound.shown = visible or self._reads_this_step(item)
            bound_items.append(bound)
            if visible and value is not None:
                values[item["key"]] = value
        return bound_items, values

    def _reads_this_step(self, item: dict[str, Any]) -> bool:
        if "visible_if" not in item:
            return False
        names = logic.variables(item["visible_if"])
        return any(n.split(".")[0] in self.step_keys or n.startswith("item.") for n in names)

    def field(
        self, item: dict[str, Any], name: str, visible: bool, context: dict[str, Any]
    ) -> tuple[BoundField, Any]:
        field_type = registry[item["type"]]
        parse: Callable[[], Any]
        if field_type.parts:  # one input per part (the address)
            parts = field_type.read_parts(self.raw, name)
            bound = BoundField(item, name, value=parts, language=self.language)
            texts = list(parts.values())
            parse = partial(field_type.parse_parts, item, parts)
        else:
            texts = self.raw.get(name, [])
            several = field_type.multiple or len(texts) > 1
            value = texts if several else (texts[0] if texts else "")
            bound = BoundField(item, name, value=value, language=self.language)
            if not field_type.holds_data:
                return bound, None
            if item["type"] == COMPUTED:
                parse = partial(field_type.compute, item, context)
            else:
                parse = partial(field_type.parse, item, texts)
        try:
            if any(_CONTROL.search(text) for text in texts):
                raise FieldError(
                    _("Remove the invisible control characters, e.g. by typing the answer again.")
                )
            value = self._parse(name, parse)
            if item["type"] == COMPUTED:
                bound.value = field_type.as_text(item, value)
            if value is None and self._required(item, context):
                raise FieldError(_required_message(item, self.language) if self.explain else "")
        except FieldError as problem:
            if visible:
                bound.error = str(problem)
                self.errors.append(bound)
            return bound, None
        return bound, value

    def _parse(self, name: str, parse: Callable[[], Any]) -> Any:
        """``parse()``, or what it gave (or raised) when ``lenient_values`` parsed ``name``."""
        outcome = self.parsed.get(name, _NOT_PARSED)
        if outcome is _NOT_PARSED:
            return parse()
        if isinstance(outcome, FieldError):
            raise outcome
        return outcome

    def _required(self, item: dict[str, Any], context: dict[str, Any]) -> bool:
        return bool(item.get("required")) or (
            "required_if" in item and logic.truthy(logic.evaluate(item["required_if"], context))
        )

    def group(self, item: dict[str, Any], name: str, visible: bool) -> tuple[BoundGroup, Any]:
        bound = BoundGroup(item, name, language=self.language)
        children = item.get("fields", [])
        if not item.get("repeatable"):
            bound.children, value = self.items(children, f"{name}.", None)
            return bound, value if visible else None
        entries: list[dict[str, Any]] = []
        minimum = item.get("min_items", 0)
        for index in range(item_count(item, self.raw, name)):
            entry_prefix = f"{name}.{index}."
            if index >= minimum and not _anything_sent(self.raw, entry_prefix):
                bound.items.append(self._quiet(children, entry_prefix))
                continue
            entry = logic.resolve_var(self.context, f"{name}.{index}", {})
            children_bound, value = self.items(children, entry_prefix, entry)
            bound.items.append(children_bound)
            entries.append(value)
        if visible and len(entries) < minimum:
            bound.error = _("Add at least %(count)d entries.") % {"count": minimum}
            self.errors.append(bound)
        return bound, entries if visible else None

    def _quiet(self, children: list[dict[str, Any]], prefix: str) -> list[BoundItem]:
        """An empty optional entry: shown, but neither checked nor stored."""
        errors_before = len(self.errors)
        bound, _values = self.items(children, prefix, {})
        del self.errors[errors_before:]
        for child in bound:
            if isinstance(child, BoundField):
                child.error = ""
        return bound


def _anything_sent(raw: dict[str, list[str]], prefix: str) -> bool:
    return any(
        key.startswith(prefix) and not key.endswith(ITEMS_SUFFIX) and any(v.strip() for v in vals)
        for key, vals in raw.items()
    )


def item_count(item: dict[str, Any], raw: dict[str, list[str]], name: str) -> int:
    """How many entries of a repeatable group the page holds, within min_items and max_items."""
    sent = raw.get(f"{name}.{ITEMS_SUFFIX}", [""])[0]
    count = int(sent) if sent.isdigit() else 0
    low = max(item.get("min_items", 0), 1)
    high = min(item.get("max_items") or MAX_ITEMS, MAX_ITEMS)
    return max(low, min(count, high))


def lenient_values(
    items: list[dict[str, Any]],
    raw: dict[str, list[str]],
    prefix: str,
    parsed: dict[str, Any] | None = None,
) -> dict:
    """What the step's answers would be, ignoring errors and logic: the context for conditions
    that read answers of the same step. Into ``parsed`` goes, for each field by its HTML name,
    what parsing it gave or the ``FieldError`` it raised, so that the checks need not parse it
    again (1.8 % of an API submit's instructions, issue 9)."""
    values: dict[str, Any] = {}
    for item in items:
        name = f"{prefix}{item['key']}"
        if is_group(item):
            if item.get("repeatable"):
                values[item["key"]] = [
                    lenient_values(item.get("fields", []), raw, f"{name}.{index}.", parsed)
                    for index in range(item_count(item, raw, name))
                ]
            else:
                fields = item.get("fields", [])
                values[item["key"]] = lenient_values(fields, raw, f"{name}.", parsed)
            continue
        field_type = registry[item["type"]]
        if not field_type.holds_data or item["type"] == COMPUTED:
            continue
        try:
            if field_type.parts:
                outcome = field_type.parse_parts(item, field_type.read_parts(raw, name))
            else:
                outcome = field_type.parse(item, raw.get(name, []))
            values[item["key"]] = outcome
        except FieldError as problem:
            values[item["key"]] = None
            outcome = problem
        if parsed is not None:
            parsed[name] = outcome
    return values


def _required_message(item: dict[str, Any], language: str | None) -> str:
    label = localized(item["label"], language)
    if registry[item["type"]].choices(item) or item["type"] in {"choice", "yesno"}:
        return _("Choose an answer for “%(label)s”.") % {"label": label}
    return _("Enter “%(label)s”.") % {"label": label}


def to_raw(items: list[dict[str, Any]], values: dict[str, Any], prefix: str = "") -> dict:
    """Stored answers as the browser would send them: to show a step again, and to check a
    stored data set with exactly the code that checked the pages."""
    raw: dict[str, list[str]] = {}
    for item in items:
        name, value = f"{prefix}{item['key']}", values.get(item["key"])
        if value is None:
            continue
        if is_group(item):
            if item.get("repeatable") and isinstance(value, list):
                raw[f"{name}.{ITEMS_SUFFIX}"] = [str(len(value))]
                for index, entry in enumerate(value):
                    if isinstance(entry, dict):
                        raw.update(to_raw(item.get("fields", []), entry, f"{name}.{index}."))
            elif isinstance(value, dict):
                raw.update(to_raw(item.get("fields", []), value, f"{name}."))
            continue
        if item["type"] == COMPUTED:
            continue  # worked out again on every check
        field_type = registry[item["type"]]
        if field_type.parts:
            parts = field_type.as_input(item, value)
            raw.update({f"{name}.{part}": [str(parts.get(part, ""))] for part in field_type.parts})
            continue
        shown = field_type.as_input(item, value)
        raw[name] = [str(v) for v in shown] if isinstance(shown, list) else [shown]
    return raw


def bind_step(
    step: dict[str, Any], data: dict[str, Any], options: dict[str, Any] | None = None
) -> list[BoundItem]:
    """The step's items filled with the saved answers, without error messages: the step's
    rules are not checked and the messages of missing answers not written (a first visit
    misses them all, and each message reads the active language, which is dear)."""
    raw = to_raw(step.get("fields", []), data)
    checker, bound, _values = _checked(step, raw, data, options, get_language(), explain=False)
    for failed in checker.errors:
        failed.error = ""
    return bound


def clean_submission(
    definition: dict[str, Any], data: dict[str, Any], options: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a complete data set from outside (e.g. the API) and return it cleaned — values
    normalised, computed values worked out — with its problems (HTML name → message).
    ``options`` are the offering's option values the conditions read."""
    problems: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    language = get_language()
    for step in visible_steps(definition, data, options):
        raw = to_raw(step.get("fields", []), data)
        result = validate_step(step, raw, data, options, language)
        problems.update({bound.name: bound.error for bound in result.errors})
        problems.update({f"__rule_{step['key']}": message for message in result.messages})
        cleaned.update(result.values)
    for path in _missing(data, cleaned, ""):
        problems.setdefault(path, _("This answer does not belong to the form."))
    return cleaned, problems


def validate_submission(
    definition: dict[str, Any], data: dict[str, Any], options: dict[str, Any] | None = None
) -> dict[str, str]:
    """Check a stored data set: HTML name of the item → problem (empty when valid).

    Re-parses every stored value, so data changed behind the form's back cannot slip through,
    and reports answers that belong to no visible item or differ from what the form makes of
    them (a tampered computed value, a wrongly typed answer).
    """
    cleaned, problems = clean_submission(definition, data, options)
    for path in _unexpected(data, cleaned, ""):
        problems.setdefault(path, _("This answer does not belong to the form."))
    return problems


def _missing(data: Any, cleaned: Any, prefix: str) -> list[str]:
    """Paths of answers in ``data`` that have no place in ``cleaned`` (unknown keys)."""
    if isinstance(data, dict) and isinstance(cleaned, dict):
        return [
            path
            for key, value in data.items()
            for path in (
                [f"{prefix}{key}"]
                if key not in cleaned
                else _missing(value, cleaned[key], f"{prefix}{key}.")
            )
        ]
    if isinstance(data, list) and isinstance(cleaned, list):
        extra = [f"{prefix}{index}" for index in range(len(cleaned), len(data))]
        return extra + [
            path
            for index, (a, b) in enumerate(zip(data, cleaned, strict=False))
            for path in _missing(a, b, f"{prefix}{index}.")
        ]
    return []


def _unexpected(data: Any, cleaned: Any, prefix: str) -> list[str]:
    if isinstance(data, dict) and isinstance(cleaned, dict):
        found = []
        for key, value in data.items():
            if key not in cleaned:
                found.append(f"{prefix}{key}")
            else:
                found.extend(_unexpected(value, cleaned[key], f"{prefix}{key}."))
        return found
    if isinstance(data, list) and isinstance(cleaned, list):
        if len(data) != len(cleaned):
            return [prefix.rstrip(".")]
        return [
            p
            for i, (a, b) in enumerate(zip(data, cleaned, strict=True))
            for p in _unexpected(a, b, f"{prefix}{i}.")
        ]
    return [] if data == cleaned else [prefix.rstrip(".")]


def summarize(
    definition: dict[str, Any], data: dict[str, Any], options: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The answers per visible step with their labels, for the summary page and the case view;
    ``options`` are the option values the application was made with.

    The labels and titles read the active language once, not each: a read goes through
    asgiref's ``Local``, some 14,000 instructions on Python 3.11, and a summary has dozens of
    labels (docs/benchmarks.md, 2026-11-27). The field types' own texts (a choice's label)
    still read it each."""
    context = with_options(data, options)
    language = get_language()
    return [
        {
            "key": step["key"],
            "title": localized(step["title"], language),
            "rows": _rows(step.get("fields", []), data, context, "", language),
        }
        for step in visible_steps(definition, data, options)
    ]


def _rows(
    items: list[dict], values: dict, context: dict, label_prefix: str, language: str | None
) -> list[dict]:
    rows: list[dict[str, str]] = []
    for item in items:
        if not is_visible(item, {**context, "item": values}):
            continue
        label = f"{label_prefix}{localized(item.get('label'), language)}"
        value = values.get(item["key"]) if isinstance(values, dict) else None
        if is_group(item):
            entries = value if item.get("repeatable") else [value]
            entry_label = localized(item.get("item_label"), language) or localized(
                item.get("label"), language
            )
            for number, entry in enumerate(entries or [], start=1):
                heading = (
                    f"{label_prefix}{entry_label} {number}" if item.get("repeatable") else label
                )
                rows.extend(
                    _rows(item.get("fields", []), entry or {}, context, f"{heading} – ", language)
                )
            continue
        field_type = registry[item["type"]]
        if field_type.holds_data:
            rows.append(
                {"key": item["key"], "label": label, "value": field_type.as_text(item, value)}
            )
    return rows


def applicant_attributes(definition: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """The applicant's name and e-mail as marked in the definition (``applicant`` on a field)."""
    found: dict[str, str] = {}
    for step in definition["steps"]:
        for path, item in walk(step.get("fields", [])):
            attribute = item.get("applicant")
            value = logic.resolve_var(data, path)
            if attribute and value not in (None, "", [], {}):
                found[attribute] = str(value)
    return found


def change_entries(step: dict[str, Any], raw: dict[str, list[str]], sent: Any) -> bool:
    """Apply an "add another" (``_add=<group name>``) or "remove" (``_remove=<group>.<n>``)
    button of a repeatable group to ``raw``; True when the applicant pressed one."""
    groups = {name: item for name, item in _repeatable_names(step.get("fields", []), raw, "")}
    added, removed = sent.get("_add", ""), sent.get("_remove", "")
    raw.pop("_add", None)
    raw.pop("_remove", None)
    if added in groups:
        raw[f"{added}.{ITEMS_SUFFIX}"] = [str(item_count(groups[added], raw, added) + 1)]
        return True
    name, _dot, index = removed.rpartition(".")
    if name in groups and index.isdigit():
        count = item_count(groups[name], raw, name)
        _shift_entries(raw, name, int(index), count)
        raw[f"{name}.{ITEMS_SUFFIX}"] = [str(count - 1)]
        return True
    return False


def _repeatable_names(items: list[dict[str, Any]], raw: dict, prefix: str) -> list[tuple]:
    found = []
    for item in items:
        name = f"{prefix}{item['key']}"
        if not is_group(item):
            continue
        if item.get("repeatable"):
            found.append((name, item))
            for index in range(item_count(item, raw, name)):
                found.extend(_repeatable_names(item.get("fields", []), raw, f"{name}.{index}."))
        else:
            found.extend(_repeatable_names(item.get("fields", []), raw, f"{name}."))
    return found


def _shift_entries(raw: dict[str, list[str]], name: str, removed: int, count: int) -> None:
    """Drop entry ``removed`` of group ``name`` and move the later entries up by one."""
    for index in range(removed, count):
        old, new = f"{name}.{index + 1}.", f"{name}.{index}."
        for key in [k for k in raw if k.startswith(f"{name}.{index}.")]:
            del raw[key]
        for key in [k for k in raw if k.startswith(old)]:
            raw[new + key[len(old) :]] = raw.pop(key)
