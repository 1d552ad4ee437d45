"""The import rules that keep the package's shape, read from the source with ``ast``.

1. Only ``server.store`` talks to an engine: nothing else imports pyoxigraph or
   SPARQLWrapper, or decodes SPARQL JSON results by hand (the CLI, pages, dumps,
   VoID and validation all go through the Store interface).
2. No blueprint imports another: a module that creates a Blueprint (with, for a
   package such as ``server.web.pages``, its submodules) imports no other such unit.
3. No import cycle among the server's modules, at module level, nor counting the
   imports inside functions. An import of a module's own parent package is not
   counted: Python runs the parent first anyway (a package that imports its route
   modules after creating its blueprint is the Flask pattern, not a cycle).
4. Layers: ``server.publication``, ``server.store`` and ``server.rdf`` never import
   Flask or ``server.web``; ``server.store`` never imports ``server.publication``.

Each rule is also run on a small synthetic package that breaks it, so none of these
tests can pass for want of finding anything.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from server.settings import PROJECT_ROOT

ENGINE_CLIENTS = ("pyoxigraph", "SPARQLWrapper")
SPARQL_JSON_KEYS = ("bindings",)  # a results document's rows: {"head": ..., "results": {"bindings": [...]}}
JSON_DECODERS = ("loads", "load", "get_json", "json")  # json.loads(...), response.get_json(), response.json()
LAYERS = {  # package -> what it must never import
    "server.publication": ("flask", "werkzeug", "server.web"),
    "server.store": ("flask", "werkzeug", "server.web", "server.publication"),
    "server.rdf": ("flask", "werkzeug", "server.web"),
    "server.linking": ("flask", "werkzeug", "server.web"),
}
# Blueprint-to-blueprint imports on main that the web refactor (another branch) removes:
# strict xfail, so the marker is deleted when they are gone.


@dataclass
class Module:
    name: str  # dotted
    path: Path
    is_package: bool
    tree: ast.Module
    imports: set[str] = field(default_factory=set)  # at module level (also inside classes and if-blocks)
    deferred: set[str] = field(default_factory=set)  # inside functions

    def within(self, package: str) -> bool:
        return self.name == package or self.name.startswith(package + ".")


def read_package(root: Path, package: str) -> dict[str, Module]:
    """Every module of ``package`` (a folder under ``root``) with the imports it makes."""
    modules: dict[str, Module] = {}
    for path in sorted((root / package.replace(".", "/")).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        modules[name] = Module(name, path, is_package, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    for module in modules.values():
        _collect_imports(module, module.tree, modules, deferred=False)
    return modules


def _collect_imports(module: Module, node: ast.AST, modules: dict[str, Module], deferred: bool) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            (module.deferred if deferred else module.imports).update(_targets(module, child, modules))
        inside = deferred or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        _collect_imports(module, child, modules, inside)


def _targets(module: Module, node: ast.Import | ast.ImportFrom, modules: dict[str, Module]) -> set[str]:
    """The modules an import statement names: ``from a import b`` is ``a.b`` when that is a module."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    base = node.module or ""
    if node.level:
        anchor = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    found = {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules}
    return found if len(found) == len(node.names) else found | {base}


def _names(imported: str, forbidden: tuple[str, ...]) -> bool:
    return any(imported == name or imported.startswith(name + ".") for name in forbidden)


# ---------------------------------------------------------------- the rules, as functions of a package


def engine_access(modules: dict[str, Module], store: str) -> list[str]:
    """Modules outside ``store`` that import an engine client or decode SPARQL JSON results."""
    found = []
    for module in modules.values():
        if module.within(store):
            continue
        for imported in sorted(module.imports | module.deferred):
            if _names(imported, ENGINE_CLIENTS):
                found.append(f"{module.name} imports {imported}")
        strings = {n.value for n in ast.walk(module.tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        decodes = any(
            isinstance(n, ast.Call) and isinstance(n.func, (ast.Attribute, ast.Name))
            and (n.func.attr if isinstance(n.func, ast.Attribute) else n.func.id) in JSON_DECODERS
            for n in ast.walk(module.tree)
        )
        if decodes and strings & set(SPARQL_JSON_KEYS):
            found.append(f"{module.name} decodes SPARQL JSON results")
    return found


def blueprint_units(modules: dict[str, Module]) -> dict[str, str]:
    """Module -> the blueprint unit it belongs to (the module creating a Blueprint; a package's submodules join it)."""
    creators = [
        m.name for m in modules.values()
        if any(isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", None)) == "Blueprint"
               for n in ast.walk(m.tree))
    ]
    units = {}
    for module in modules.values():
        for creator in creators:
            if module.name == creator or (modules[creator].is_package and module.within(creator)):
                units[module.name] = creator
    return units


def blueprint_imports(modules: dict[str, Module]) -> set[tuple[str, str]]:
    """(importing unit, imported unit) for every import from one blueprint unit into another."""
    units = blueprint_units(modules)
    pairs = set()
    for name, unit in units.items():
        for imported in modules[name].imports | modules[name].deferred:
            other = units.get(imported)
            if other is not None and other != unit:
                pairs.add((unit, other))
    return pairs


def import_cycles(modules: dict[str, Module], deferred: bool) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), over module-level imports (and
    with ``deferred``, function-level ones too); an import of one's own parent package is not an edge."""
    edges = {
        name: sorted(
            target for target in (module.imports | (module.deferred if deferred else set()))
            if target in modules and target != name and not name.startswith(target + ".")
        )
        for name, module in modules.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for name in sorted(edges):
        if name not in index:
            visit(name)
    return sorted(cycles)


def layer_violations(modules: dict[str, Module], layers: dict[str, tuple[str, ...]]) -> list[str]:
    found = []
    for module in modules.values():
        for package, forbidden in layers.items():
            if module.within(package):
                found += [f"{module.name} imports {i}" for i in sorted(module.imports | module.deferred) if _names(i, forbidden)]
    return found


# ---------------------------------------------------------------- the server


@pytest.fixture(scope="module")
def server() -> dict[str, Module]:
    return read_package(PROJECT_ROOT, "server")


def test_the_reader_sees_the_whole_package(server):
    assert {"server", "server.store.base", "server.web.pages", "server.web.pages.resource", "server.cli.validate"} <= set(server)
    assert "server.store" in server["server.publication.service"].imports


def test_only_the_store_talks_to_an_engine(server):
    assert engine_access(server, "server.store") == []


def test_the_store_does_talk_to_the_engines(server):
    """The rule above reads the imports it forbids where they are allowed."""
    used = {i for m in server.values() if m.within("server.store") for i in m.imports | m.deferred}
    assert {"pyoxigraph", "SPARQLWrapper"} <= {i.split(".")[0] for i in used}


def test_blueprints_are_found(server):
    """The blueprints the factory registers are the units the rule compares (void.py may be split in more)."""
    units = set(blueprint_units(server).values())
    assert {
        "server.web.sparql", "server.web.resources", "server.web.pages", "server.web.ontology_docs",
        "server.web.validation_service", "server.web.contributions",
    } <= units
    assert blueprint_units(server)["server.web.pages.resource"] == "server.web.pages"


def test_no_blueprint_imports_another(server):
    assert sorted(blueprint_imports(server)) == []


def test_no_import_cycle_at_module_level(server):
    assert import_cycles(server, deferred=False) == []


def test_no_import_cycle_counting_imports_inside_functions(server):
    assert import_cycles(server, deferred=True) == []


def test_a_query_worker_loads_neither_the_web_nor_the_validator_nor_rdflib():
    """A query worker is started for every server and after every runaway query: importing the package
    must not pull in Flask or pySHACL (0.75 s of CPU a worker when ``server/__init__`` built the app),
    nor rdflib (0.2 s more when ``server/store/__init__`` imported the store interface)."""
    probe = ("import sys, server.store.query_worker; "
             "print(sorted(m for m in ('flask', 'pyshacl', 'werkzeug', 'rdflib') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr


def test_domain_store_and_rdf_know_nothing_of_the_web(server):
    assert layer_violations(server, LAYERS) == []


# ---------------------------------------------------------------- each rule can fail

SYNTHETIC = {
    "app/__init__.py": "from app.web import one\n",
    "app/store/__init__.py": "import pyoxigraph\nfrom app import domain\n",
    "app/domain.py": "import json\nfrom flask import abort\nfrom app.web.one import helper\n\n"
                     "def rows(text):\n    import SPARQLWrapper\n    return json.loads(text)['results']['bindings']\n",
    "app/web/__init__.py": "",
    "app/web/one.py": "from flask import Blueprint\nfrom app.web import two\nbp = Blueprint('one', __name__)\n\n"
                      "def helper():\n    from app import domain\n",
    "app/web/two.py": "import flask\nfrom .pages import view\nbp = flask.Blueprint('two', __name__)\n",
    "app/web/pages/__init__.py": "from flask import Blueprint\nbp = Blueprint('pages', __name__)\nfrom app.web.pages import view\n",
    "app/web/pages/view.py": "from app.web.pages import bp\nfrom . import other\n",
    "app/web/pages/other.py": "from app.web.one import bp as one\n",
}


@pytest.fixture
def synthetic(tmp_path) -> dict[str, Module]:
    for name, text in SYNTHETIC.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return read_package(tmp_path, "app")


def test_engine_rule_finds_imports_and_hand_decoding(synthetic):
    assert engine_access(synthetic, "app.store") == [
        "app.domain imports SPARQLWrapper", "app.domain decodes SPARQL JSON results",
    ]


def test_blueprint_rule_finds_imports_between_units_only(synthetic):
    assert blueprint_units(synthetic)["app.web.pages.other"] == "app.web.pages"
    assert blueprint_imports(synthetic) == {
        ("app.web.one", "app.web.two"), ("app.web.two", "app.web.pages"), ("app.web.pages", "app.web.one"),
    }


def test_cycle_rule_finds_cycles_at_both_levels(synthetic):
    # one -> two -> pages.view -> pages.other -> one; pages' own imports of its package are not edges
    assert import_cycles(synthetic, deferred=False) == [
        ["app.web.one", "app.web.pages.other", "app.web.pages.view", "app.web.two"],
    ]
    # and one.helper's import of domain, which imports one at module level
    assert ["app.domain", "app.web.one", "app.web.pages.other", "app.web.pages.view", "app.web.two"] in import_cycles(
        synthetic, deferred=True
    )


def test_layer_rule_finds_web_and_domain_imports(synthetic):
    layers = {"app.domain": ("flask", "app.web"), "app.store": ("flask", "app.domain")}
    assert sorted(layer_violations(synthetic, layers)) == [
        "app.domain imports app.web.one", "app.domain imports flask", "app.store imports app.domain",
    ]
