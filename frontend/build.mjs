// Copy the front-end packages Amtsweg uses from node_modules into Django's static files.
//
// There is no bundler on purpose: KERN UX ships ready-made CSS and htmx a ready-made script, so
// the "build" is a copy into src/amtsweg/static/vendor/ (gitignored), where the templates find
// them as vendor/kern/kern.min.css, vendor/kern/fonts/fira-sans.css, vendor/htmx/htmx.min.js and
// vendor/json-logic/logic.js.
// Run it with `npm run build` (the Makefile does so after `npm ci`).

import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const target = resolve(here, "..", "src", "amtsweg", "static", "vendor");

function copy(from, to) {
  if (!existsSync(from)) {
    throw new Error(`missing ${from}: run "npm ci" in frontend/ first`);
  }
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

// Start from an empty folder so files dropped by a package update do not linger.
rmSync(target, { recursive: true, force: true });

const kern = join(modules, "@kern-ux", "native", "dist");
copy(join(kern, "kern.min.css"), join(target, "kern", "kern.min.css"));

// The font CSS points at its files with relative URLs ("./fira-sans/FiraSans-Regular.woff2").
// Copy the CSS and exactly the woff2 files it names, keeping the same relative layout, so the
// URLs resolve after the copy and no unused font weights end up in the static files.
const fontCss = join(kern, "fonts", "fira-sans.css");
copy(fontCss, join(target, "kern", "fonts", "fira-sans.css"));
const fontUrls = [...readFileSync(fontCss, "utf8").matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)]
  .map((match) => match[1])
  .filter((url) => !url.startsWith("data:"));
if (fontUrls.length === 0) {
  throw new Error(`no font files referenced in ${fontCss}; did the package layout change?`);
}
for (const url of fontUrls) {
  if (!url.endsWith(".woff2") || url.startsWith("/") || url.includes("..") || url.includes(":")) {
    throw new Error(`unexpected font URL ${url} in ${fontCss}`);
  }
  copy(join(kern, "fonts", url), join(target, "kern", "fonts", url));
}

copy(
  join(modules, "htmx.org", "dist", "htmx.min.js"),
  join(target, "htmx", "htmx.min.js"),
);

// The same JsonLogic rules the server evaluates, for instant feedback in the browser.
copy(join(modules, "json-logic-js", "logic.js"), join(target, "json-logic", "logic.js"));

console.log(`frontend: copied KERN UX (${fontUrls.length} font files) and htmx to ${target}`);
