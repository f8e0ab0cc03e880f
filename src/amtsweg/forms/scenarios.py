"""Logic scenarios: test cases for a form's conditions, required-ness and computed values.

A definition may carry ``"scenarios"``: answers plus what the form must make of them. They live
inside the definition so they are versioned with the logic they test, and a designer can see
with one run whether a change to a condition broke what the form promised::

    {"name": "One listed dog", "answers": {"dogs": [{"name": "Rex", "listed": true}]},
     "expect": {"visible_steps": ["listenhund"], "values": {"annual_tax": "900.00"}}}

Expectations: ``visible_steps``/``hidden_steps`` (step keys), ``visible``/``hidden``/``required``
(item paths such as ``dogs.0.certificate``), ``values`` (path → stored value, computed values
included), ``valid`` (the answers as a whole pass the submit check) and ``errors`` (paths that
must have an error at submit; others may too, since scenarios usually give few answers).
A scenario may choose values for the version's configurable options (``"options": {"pickup":
"post"}``); options it does not name take their declared defaults.

The runner uses the engine's own functions (``visible_steps``, ``validate_step`` on the
answers turned back into what a browser sends, ``validate_submission``), so a scenario checks
exactly what an applicant would experience, not a second implementation of the logic.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from amtsweg.forms import logic
from amtsweg.forms.definition import check_definition, is_group
from amtsweg.forms.validation import (
    COMPUTED,
    default_options,
    is_visible,
    item_count,
    lenient_values,
    to_raw,
    validate_step,
    validate_submission,
    visible_steps,
    with_options,
)

EXPECTATIONS = (
    "visible_steps",
    "hidden_steps",
    "visible",
    "hidden",
    "required",
    "values",
    "valid",
    "errors",
)
_MISSING = object()


@dataclass
class ScenarioResult:
    """One scenario's outcome; ``failures`` says in plain words what did not match."""

    name: str
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class _ItemState:
    visible: bool
    required: bool


@dataclass
class _Outcome:
    """What the engine made of a scenario's answers."""

    steps: dict[str, bool]
    items: dict[str, _ItemState]
    values: dict[str, Any]
    problems: dict[str, str]


def run_scenarios(
    definition: dict[str, Any], options: list[dict[str, Any]] | None = None
) -> list[ScenarioResult]:
    """Run every scenario of ``definition`` (none: an empty list); ``options`` are the
    version's configurable options, whose defaults apply where a scenario chooses none.

    Raises ``DefinitionError`` when the definition itself is broken, since its logic cannot be
    tested then; a malformed scenario is reported as a failed one.
    """
    check_definition(definition, options)
    defaults = default_options(options)
    results = []
    for number, scenario in enumerate(definition.get("scenarios", []), start=1):
        name = scenario.get("name") if isinstance(scenario, dict) else None
        result = ScenarioResult(name=str(name or f"Scenario {number}"))
        try:
            result.failures = _failures(definition, scenario, defaults)
        except (logic.LogicError, TypeError, ValueError, KeyError, AttributeError) as error:
            result.failures = [f"the scenario could not be run: {error!r}"]
        results.append(result)
    return results


def _failures(definition: dict[str, Any], scenario: Any, defaults: dict[str, Any]) -> list[str]:
    if not isinstance(scenario, dict) or not isinstance(scenario.get("answers"), dict):
        return ["the scenario has no answers (an object of answers is needed)"]
    chosen = scenario.get("options", {})
    if not isinstance(chosen, dict) or set(chosen) - set(defaults):
        return ["the scenario's options must be an object of declared option keys"]
    expect = scenario.get("expect")
    if not isinstance(expect, dict) or not expect:
        return ["the scenario expects nothing"]
    failures = [f"unknown expectation {name!r}" for name in expect if name not in EXPECTATIONS]
    outcome = _outcome(definition, scenario["answers"], {**defaults, **chosen})
    for name in EXPECTATIONS:
        if name in expect:
            failures.extend(_CHECKS[name](outcome, expect[name]))
    return failures


def _outcome(
    definition: dict[str, Any], answers: dict[str, Any], options: dict[str, Any]
) -> _Outcome:
    shown = visible_steps(definition, answers, options)
    steps = {step["key"]: step in shown for step in definition["steps"]}
    items: dict[str, _ItemState] = {}
    values: dict[str, Any] = {}
    for step in definition["steps"]:
        fields = step.get("fields", [])
        raw = to_raw(fields, answers)
        # The same context the engine's step check uses for conditions.
        context = with_options({**answers, **lenient_values(fields, raw, "")}, options)
        _walk(fields, raw, context, "", None, steps[step["key"]], items)
        if steps[step["key"]]:
            values.update(validate_step(step, raw, answers, options).values)
    return _Outcome(steps, items, values, validate_submission(definition, answers, options))


def _walk(
    items: list[dict[str, Any]],
    raw: dict[str, list[str]],
    context: dict[str, Any],
    prefix: str,
    entry: dict[str, Any] | None,
    shown: bool,
    found: dict[str, _ItemState],
) -> None:
    """Visibility and required-ness of every item, following the engine's step check: entries
    of a repeatable group see their own answers as ``item``, and a hidden parent hides all."""
    scope = context if entry is None else {**context, "item": entry}
    for item in items:
        name = f"{prefix}{item['key']}"
        visible = shown and is_visible(item, scope)
        required = visible and (
            bool(item.get("required"))
            or ("required_if" in item and logic.truthy(logic.evaluate(item["required_if"], scope)))
        )
        if is_group(item):
            required = visible and item.get("min_items", 0) > 0 and bool(item.get("repeatable"))
        found[name] = _ItemState(visible, required and item.get("type") != COMPUTED)
        if not is_group(item):
            continue
        children = item.get("fields", [])
        if not item.get("repeatable"):
            _walk(children, raw, context, f"{name}.", None, visible, found)
            continue
        for index in range(item_count(item, raw, name)):
            own = logic.resolve_var(context, f"{name}.{index}", {})
            _walk(children, raw, context, f"{name}.{index}.", own, visible, found)


def _step_checks(wanted: bool) -> Callable[[_Outcome, Any], list[str]]:
    def check(outcome: _Outcome, keys: Any) -> list[str]:
        failures = []
        for key in _as_list(keys):
            if key not in outcome.steps:
                failures.append(f"the form has no step {key!r}")
            elif outcome.steps[key] != wanted:
                failures.append(
                    f"expected step {key!r} to be {_seen(wanted)}, it is {_seen(not wanted)}"
                )
        return failures

    return check


def _item_checks(wanted: bool) -> Callable[[_Outcome, Any], list[str]]:
    def check(outcome: _Outcome, paths: Any) -> list[str]:
        failures = []
        for path in _as_list(paths):
            state = outcome.items.get(path)
            if state is None:
                failures.append(_no_item(path))
            elif state.visible != wanted:
                failures.append(
                    f"expected {path!r} to be {_seen(wanted)}, it is {_seen(not wanted)}"
                )
        return failures

    return check


def _required(outcome: _Outcome, paths: Any) -> list[str]:
    failures = []
    for path in _as_list(paths):
        state = outcome.items.get(path)
        if state is None:
            failures.append(_no_item(path))
        elif not state.visible:
            failures.append(f"expected {path!r} to be required, it is hidden")
        elif not state.required:
            failures.append(f"expected {path!r} to be required, it is optional")
    return failures


def _values(outcome: _Outcome, expected: Any) -> list[str]:
    failures = []
    for path, value in (expected or {}).items():
        actual = logic.resolve_var(outcome.values, path, _MISSING)
        if actual is _MISSING:
            failures.append(f"expected {path!r} to be {value!r}, it has no value")
        elif actual != value or type(actual) is not type(value):
            failures.append(f"expected {path!r} to be {value!r}, it is {actual!r}")
    return failures


def _valid(outcome: _Outcome, wanted: Any) -> list[str]:
    if bool(wanted) and outcome.problems:
        listed = "; ".join(f"{path}: {problem}" for path, problem in outcome.problems.items())
        return [f"expected the answers to be valid, they are not ({listed})"]
    if not wanted and not outcome.problems:
        return ["expected the answers to be invalid, they are valid"]
    return []


def _errors(outcome: _Outcome, paths: Any) -> list[str]:
    failures = []
    for path in _as_list(paths):
        if path not in outcome.problems:
            others = ", ".join(outcome.problems) or "none"
            failures.append(f"expected an error on {path!r}, there is none (errors on: {others})")
    return failures


_CHECKS: dict[str, Callable[[_Outcome, Any], list[str]]] = {
    "visible_steps": _step_checks(True),
    "hidden_steps": _step_checks(False),
    "visible": _item_checks(True),
    "hidden": _item_checks(False),
    "required": _required,
    "values": _values,
    "valid": _valid,
    "errors": _errors,
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _seen(visible: bool) -> str:
    return "visible" if visible else "hidden"


def _no_item(path: str) -> str:
    return f"the form has no item {path!r} (for these answers)"
