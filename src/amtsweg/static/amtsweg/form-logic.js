/*
 * Instant feedback for form logic: show and hide fields, groups and notices as the applicant
 * answers, by evaluating the same JsonLogic rules (data-visible-if) that the server evaluates.
 * The server stays the source of truth: it drops answers to hidden fields and checks every
 * rule again. Without JavaScript the page works as it is; this only hides what does not apply.
 */
(function () {
  "use strict";

  function readJson(id, fallback) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : fallback;
  }

  function schemaPath(name) {
    return name.split(".").filter(function (part) { return !/^\d+$/.test(part); }).join(".");
  }

  function convert(kind, value) {
    if (value === "" || value === undefined) { return null; }
    if (kind === "yesno") { return value === "yes" ? true : value === "no" ? false : null; }
    if (kind === "number" && /^-?\d+$/.test(value)) { return parseInt(value, 10); }
    return value;
  }

  function isoDate(parts) {
    var day = Number(parts.day), month = Number(parts.month), year = Number(parts.year);
    var date = new Date(Date.UTC(year, month - 1, day));
    if (!/^\d{4}$/.test(parts.year || "") || date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) {
      return null;
    }
    return date.toISOString().slice(0, 10);
  }

  function assign(target, name, value) {
    var parts = name.split(".");
    var node = target;
    for (var i = 0; i < parts.length - 1; i++) {
      var key = /^\d+$/.test(parts[i]) ? parseInt(parts[i], 10) : parts[i];
      if (node[key] === undefined || node[key] === null || typeof node[key] !== "object") {
        node[key] = /^\d+$/.test(parts[i + 1]) ? [] : {};
      }
      node = node[key];
    }
    node[parts[parts.length - 1]] = value;
  }

  function answers(form, saved, kinds) {
    var data = JSON.parse(JSON.stringify(saved));
    var lists = {};
    var dates = {};  // a date field's three boxes (forms/fields/date.html), by field name
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.name.charAt(0) === "_" || /__items$/.test(element.name)) {
        return;
      }
      var kind = kinds[schemaPath(element.name)];
      var part = /^(.*)\.(day|month|year)$/.exec(element.name);
      if (!kind && part && kinds[schemaPath(part[1])] === "date") {
        dates[part[1]] = dates[part[1]] || {};
        dates[part[1]][part[2]] = element.value.trim();
        return;
      }
      if (!kind) { return; }
      if (element.type === "checkbox") {
        lists[element.name] = lists[element.name] || [];
        if (element.checked) { lists[element.name].push(element.value); }
        return;
      }
      if (element.type === "radio") {
        if (element.checked) { assign(data, element.name, convert(kind, element.value)); }
        else if (!form.querySelector('[name="' + element.name + '"]:checked')) {
          assign(data, element.name, null);
        }
        return;
      }
      assign(data, element.name, convert(kind, element.value));
    });
    Object.keys(lists).forEach(function (name) { assign(data, name, lists[name]); });
    Object.keys(dates).forEach(function (name) { assign(data, name, isoDate(dates[name])); });
    return data;
  }

  function entryOf(data, name) {
    var parts = name.split(".");
    for (var i = parts.length - 1; i >= 0; i--) {
      if (/^\d+$/.test(parts[i])) {
        return parts.slice(0, i + 1).reduce(function (node, part) {
          return node == null ? null : node[part];
        }, data);
      }
    }
    return null;
  }

  function update(form, saved, kinds) {
    var data = answers(form, saved, kinds);
    form.querySelectorAll("[data-visible-if]").forEach(function (element) {
      var rule = JSON.parse(element.getAttribute("data-visible-if"));
      var context = Object.assign({}, data, { item: entryOf(data, element.getAttribute("data-name") || "") || {} });
      var visible;
      try { visible = jsonLogic.truthy(jsonLogic.apply(rule, context)); }
      catch (error) { visible = true; }
      element.hidden = !visible;
    });
    form.querySelectorAll("output[data-computed]").forEach(function (output) {
      var value;
      try { value = jsonLogic.apply(JSON.parse(output.getAttribute("data-computed")), data); }
      catch (error) { return; }
      var number = Number(value);
      if (value === null || value === "" || isNaN(number)) { return; }
      var places = parseInt(output.getAttribute("data-decimal-places"), 10) || 0;
      var unit = output.getAttribute("data-unit");
      var text = number.toLocaleString(document.documentElement.lang || "de", {
        minimumFractionDigits: places, maximumFractionDigits: places
      });
      output.textContent = unit ? text + " " + unit : text;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-form-logic]");
    if (!form || typeof jsonLogic === "undefined") { return; }
    jsonLogic.add_operation("count", function (value) {
      return value && typeof value === "object" ? Object.keys(value).length : (value ? String(value).length : 0);
    });
    var saved = readJson("form-answers", {});
    // The offering's configurable options, read by conditions as {"var": "$options.<key>"}.
    saved["$options"] = readJson("form-options", {});
    var kinds = readJson("form-kinds", {});
    var refresh = function () { update(form, saved, kinds); };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();
  });
})();
