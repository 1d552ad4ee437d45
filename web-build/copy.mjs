// After `npm ci` here: copy the built browser files into the package (the copies are committed,
// so neither CI nor a deployment needs npm). Run by `make yasgui`.
//   server/static/yasgui/: YASGUI's own minified bundle (YASQE editor + YASR results, with
//     CodeMirror, DataTables and the rest bundled in) and a licence file for everything in it.
//   tests/e2e/vendor/: axe-core's axe.min.js and its licences, for the accessibility test.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const root = join(here, "..");
const modules = join(here, "node_modules");

function manifest(dir) {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
}

// The minified files without their source-map comment: the maps are not shipped, so a browser
// with developer tools open would ask for a file the server does not have.
function copyMinified(from, to) {
  const text = readFileSync(from, "utf8").replace(/\n?\/[/*]# sourceMappingURL=\S+( \*\/)?\s*$/, "\n");
  writeFileSync(to, text);
}

// Every installed package (all of them are YASGUI's dependencies but axe-core), with the licence
// its package.json declares and the licence text it ships, if any.
function packages(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".")) continue;
    if (name.startsWith("@")) {
      for (const inner of readdirSync(join(dir, name)).sort()) found.push(join(dir, name, inner));
    } else found.push(join(dir, name));
  }
  return found.filter((p) => existsSync(join(p, "package.json")));
}

function licenceText(dir) {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  return file ? readFileSync(join(dir, file), "utf8").trim() : null;
}

const yasgui = join(root, "server/static/yasgui");
mkdirSync(yasgui, { recursive: true });
const build = join(modules, "@zazuko/yasgui/build");
copyMinified(join(build, "yasgui.min.js"), join(yasgui, "yasgui.min.js"));
copyMinified(join(build, "yasgui.min.css"), join(yasgui, "yasgui.min.css"));
const sections = packages(modules)
  .map((dir) => [dir, manifest(dir)])
  .filter(([, m]) => m.name !== "axe-core" && !m.name.startsWith("@types/"))
  .map(([dir, m]) => {
    const text = licenceText(dir) ?? `(${m.name} ships no licence file; its package.json declares ${m.license}.)`;
    return `${m.name} ${m.version}: ${m.license}\n\n${text}\n`;
  });
writeFileSync(
  join(yasgui, "LICENSES.txt"),
  "The files in this folder are built from npm packages by `make yasgui` (web-build/).\n" +
    "yasgui.min.js and yasgui.min.css bundle these packages, under these licences:\n\n" +
    sections.join("\n" + "-".repeat(72) + "\n\n"),
);

const vendor = join(root, "tests/e2e/vendor");
mkdirSync(vendor, { recursive: true });
const axe = join(modules, "axe-core");
copyFileSync(join(axe, "axe.min.js"), join(vendor, "axe.min.js"));
writeFileSync(
  join(vendor, "LICENSE-axe-core.txt"),
  `axe-core ${manifest(axe).version}: ${manifest(axe).license}\n\n${licenceText(axe)}\n\n` +
    readFileSync(join(axe, "LICENSE-3RD-PARTY.txt"), "utf8"),
);
console.log(`YASGUI ${manifest(join(modules, "@zazuko/yasgui")).version} -> server/static/yasgui/; axe-core ${manifest(axe).version} -> tests/e2e/vendor/`);
