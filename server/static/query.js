// The query page's editor: YASGUI's YASQE (highlighting, completion, syntax markers, Ctrl+Enter)
// and YASR (sortable, paged tables with linked IRIs) over the plain form, which stays the page
// without JavaScript. Everything it needs is in the page (a JSON data block) or on this server:
// completions come from the dataset's own prefixes, classes and properties, never from LOV or
// prefix.cc, and queries go to this server's /sparql. Nothing is kept in localStorage, so the
// query in the URL is the one shown; after a run the URL names the query (/query?query=...),
// the same URL the plain form makes.
(function () {
  "use strict";
  var settingsBlock = document.getElementById("query-editor-settings");
  var form = document.querySelector("form.query-form");
  if (!settingsBlock || !form || !window.Yasgui) return;
  var settings = JSON.parse(settingsBlock.textContent);
  var Yasqe = window.Yasgui.Yasqe;
  var Yasr = window.Yasgui.Yasr;
  var textarea = form.querySelector("textarea");

  var prefixLines = Object.keys(settings.prefixes).sort().map(function (p) {
    return p + ": <" + settings.prefixes[p] + ">";
  });
  Yasqe.forkAutocompleter("prefixes", { name: "dataset-prefixes", get: prefixLines, persistenceId: null }, false);
  Yasqe.forkAutocompleter("class", { name: "dataset-classes", get: settings.classes, bulk: true, autoShow: true }, false);
  Yasqe.forkAutocompleter("property", { name: "dataset-properties", get: settings.properties, bulk: true, autoShow: true }, false);
  Yasqe.defaults.autocompleters = ["variables", "dataset-prefixes", "dataset-classes", "dataset-properties"];
  // Columns as wide as the page allows, not as their longest value: a table within a phone's width.
  Yasr.plugins.table.defaults.tableConfig.autoWidth = false;

  var editor = document.createElement("div");
  editor.className = "query-editor";
  form.parentNode.insertBefore(editor, form);
  var results = document.createElement("section");
  results.className = "query-editor-results";
  results.setAttribute("aria-label", settings.labels.results);
  editor.parentNode.insertBefore(results, editor.nextSibling);

  var yasqe = new Yasqe(editor, {
    value: textarea.value,
    persistenceId: null,
    consumeShareLink: null,
    createShareableLink: function (y) { return pageUrl(y.getValue()); },
    screenReaderLabel: settings.labels.query,
    // As tall as the query (at least 12rem: query.css): no scrolling box inside the page.
    editorHeight: "auto",
    viewportMargin: Infinity,
    resizeable: false,
    requestConfig: { endpoint: new URL(settings.endpoint, location.href).href, method: "POST" },
  });
  var yasr = new Yasr(results, { persistenceId: null, prefixes: settings.prefixes });
  yasr.on("drawn", nameControls);
  nameControls();
  form.hidden = true;

  yasqe.on("query", function () {
    // The page's own answer (the plain form's) gives way to the editor's from the first run.
    document.querySelectorAll("section.results, section.error").forEach(function (s) { s.hidden = true; });
    history.replaceState(null, "", pageUrl(yasqe.getValue()));
    carryQueryToLanguageLinks();
  });
  yasqe.on("queryResponse", function (_y, response, duration) {
    yasr.setResponse(response, duration);
  });

  // The example picker fills the editor in place (and keeps its choice after a run).
  var picker = document.querySelector("form.example-picker");
  if (picker) {
    var select = picker.querySelector("select");
    var examples = settings.examples;
    var fill = function (event) {
      if (event) event.preventDefault();
      if (examples[select.value] === undefined) return;
      yasqe.setValue(examples[select.value]);
      yasqe.focus();
    };
    select.addEventListener("change", function () { fill(); });
    picker.addEventListener("submit", fill);
  }

  // A URL that names a query shows its answer (the plain form's answer, run again in the editor).
  if (new URLSearchParams(location.search).has("query")) yasqe.query();

  // YASR's words in the page's language: its text, placeholders and titles (it has no translations).
  function translateYasr() {
    var words = settings.yasr;
    var walker = document.createTreeWalker(results, NodeFilter.SHOW_TEXT);
    var counted = /^(\d[\d,.]*) results? in ([\d.]+) seconds?$/;
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var text = node.nodeValue.trim();
      if (words[text] !== undefined) node.nodeValue = node.nodeValue.replace(text, words[text]);
      var match = counted.exec(text);
      if (match) node.nodeValue = settings.results_in.replace("{count}", match[1]).replace("{seconds}", match[2]);
    }
    results.querySelectorAll("[placeholder], [title], [aria-label]").forEach(function (element) {
      ["placeholder", "title", "aria-label"].forEach(function (name) {
        var value = element.getAttribute(name);
        if (value && words[value] !== undefined) element.setAttribute(name, words[value]);
      });
    });
  }

  // Names for the controls YASR draws without one (each is otherwise an axe-core violation).
  function nameControls() {
    translateYasr();
    // The view buttons ("Table", "Response") are named by their visible word, in the page's language.
    results.querySelectorAll(".yasr_btnGroup button.yasr_btn").forEach(function (button) {
      var word = button.textContent.trim();
      if (word) button.setAttribute("aria-label", word);
    });
    results.querySelectorAll(".yasr_external_ref_btn").forEach(function (link) {
      link.setAttribute("aria-label", settings.labels.documentation);
    });
    results.querySelectorAll("select.tableSizer").forEach(function (select) {
      var label = select.parentNode.querySelector(".pageSizerLabel");
      select.setAttribute("aria-label", label ? label.textContent.replace(/[:\s]+$/, "") : "Page size");
    });
    results.querySelectorAll("table.dataTable thead th:first-child").forEach(function (th) {
      if (th.textContent.trim()) return;  // the row numbers' column: a name for screen readers only
      var name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = settings.labels.row;
      th.appendChild(name);
    });
  }

  function pageUrl(query) {
    var url = new URL(location.href);
    url.searchParams.delete("example");
    url.searchParams.set("query", query);
    url.hash = "";
    return url.href;
  }

  function carryQueryToLanguageLinks() {
    document.querySelectorAll("nav.languages a[hreflang]").forEach(function (link) {
      var url = new URL(link.href, location.href);
      url.searchParams.delete("example");
      url.searchParams.set("query", yasqe.getValue());
      link.href = url.href;
    });
  }
})();
