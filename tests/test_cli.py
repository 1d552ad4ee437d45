"""The real ``mxus validate`` console command, run as a subprocess.

Each launch loads the published data (and a validation of the whole dataset
takes seconds), so the assertions are grouped into few launches. Unreadable
input is refused before any validation and is cheap to launch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH, XSD

MXUS = Path(sys.executable).parent / "mxus"
CASES = Path(__file__).parent / "cases" / "shapes"
SHAPES = "https://w3id.org/mxus/shapes#"

# Cases of tests/test_shape_cases.py, with what they are known to report.
MISSING_ANCHOR = CASES / "invalid" / "claim-without-anchor.ttl"
MISSING_ANCHOR_MESSAGE = "must be anchored to a span of the source text"
BAD_ISSN = CASES / "invalid" / "journal-bad-issn.ttl"
VALID = CASES / "valid" / "new-reported-fact-with-new-span.ttl"


def mxus(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    assert MXUS.is_file(), f"the console script is not installed next to {sys.executable}"
    completed = subprocess.run(
        [str(MXUS), *map(str, args)], capture_output=True, text=True, timeout=180, cwd=cwd
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    assert "Traceback" not in completed.stdout, completed.stdout
    return completed


def progress_lines(stderr: str) -> list[str]:
    return re.findall(r"^\[\d+/\d+\] .*$", stderr, re.MULTILINE)


#################################################################
# Validation: exit codes 0 and 1, the three report formats
#################################################################


def test_published_dataset_conforms(published_command_validation):
    run = published_command_validation  # `mxus validate`, run once for the session
    assert "Traceback" not in run.stderr + run.stdout
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("published dataset: conforms (0 violation(s), 0 warning(s)")
    assert progress_lines(run.stderr) == []


def test_invalid_file_exits_1_with_the_message_in_the_text_report():
    run = mxus("validate", MISSING_ANCHOR)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stdout.startswith(f"{MISSING_ANCHOR}: does NOT conform")
    assert "[Violation]" in run.stdout
    assert MISSING_ANCHOR_MESSAGE in run.stdout
    assert "focus node: https://w3id.org/mxus/id/claim/powell-was-secretary-of-state" in run.stdout
    assert progress_lines(run.stderr) == [], "a single file prints no progress"


def test_json_report_for_several_files_with_progress_on_stderr(command_validation):
    """The session's one ``mxus validate --format json FILE...`` run over every shape case."""
    run, count = command_validation, len(command_validation.files)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert progress_lines(run.stderr) == [f"[{i}/{count}] {path}" for i, path in enumerate(run.files, start=1)]

    report = json.loads(run.stdout)
    assert report["conforms"] is False
    assert [entry["file"] for entry in report["files"]] == [str(path) for path in run.files]
    by_file = {entry["file"]: entry for entry in report["files"]}
    anchor, issn, valid = (by_file[str(path)] for path in (MISSING_ANCHOR, BAD_ISSN, VALID))

    assert anchor["conforms"] is False
    assert anchor["counts"]["Violation"] >= 1
    fields = {"focusNode", "resultPath", "value", "message", "severity", "sourceShape", "sourceConstraintComponent"}
    assert all(fields <= set(result) for result in anchor["results"])
    result = next(r for r in anchor["results"] if MISSING_ANCHOR_MESSAGE in r["message"])
    assert result["severity"] == "Violation"
    assert result["focusNode"] == "https://w3id.org/mxus/id/claim/powell-was-secretary-of-state"
    assert result["resultPath"] == "mxus:statedIn"
    assert result["value"] is None
    assert result["sourceShape"].startswith(SHAPES + "ClaimShape")

    assert issn["conforms"] is False
    [result] = issn["results"]
    assert result["severity"] == "Violation"
    assert result["focusNode"] == "https://w3id.org/mxus/id/journal/international-migration-online"
    assert result["resultPath"] == "prism:issn"
    assert result["value"] == '"14682435"'
    assert result["message"].startswith("A journal has a prism:issn of the form 0020-7985")
    assert result["sourceShape"].startswith(SHAPES + "JournalShape")

    assert valid["conforms"] is True
    assert valid["results"] == []
    assert valid["counts"] == {"Violation": 0, "Warning": 0, "Info": 0}


def test_turtle_report_is_a_shacl_validation_report():
    run = mxus("validate", "--format", "turtle", MISSING_ANCHOR)
    assert run.returncode == 1, run.stdout + run.stderr
    graph = Graph().parse(data=run.stdout, format="turtle")
    [report] = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(False, datatype=XSD.boolean)
    messages = [str(graph.value(result, SH.resultMessage)) for result in graph.objects(report, SH.result)]
    assert any(MISSING_ANCHOR_MESSAGE in message for message in messages), messages


def test_input_format_overrides_the_extension(tmp_path):
    as_text = tmp_path / "claim.txt"
    shutil.copyfile(MISSING_ANCHOR, as_text)

    unknown = mxus("validate", as_text)
    assert unknown.returncode == 2
    assert "cannot tell the RDF format" in unknown.stderr and "--input-format" in unknown.stderr

    run = mxus("validate", "--input-format", "turtle", as_text)
    assert run.returncode == 1, run.stdout + run.stderr
    assert MISSING_ANCHOR_MESSAGE in run.stdout

    bad_name = mxus("validate", "--input-format", "yaml", as_text)
    assert bad_name.returncode == 2
    assert "unknown RDF format 'yaml'" in bad_name.stderr


#################################################################
# Unreadable input: exit code 2, FILE:LINE:COLUMN on stderr
#################################################################

BROKEN = {
    # name: (content, line of the error)
    "broken.ttl": (
        "@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c ;\n    ex:d .\n",
        4,
    ),
    "broken.nt": (
        "<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
        "<http://example.org/a> <http://example.org/b> \"unterminated .\n",
        2,
    ),
    "broken.jsonld": (
        '{\n  "@id": "http://example.org/a",\n  "http://example.org/b": "c",\n}\n',
        4,
    ),
    "broken.rdf": (
        '<?xml version="1.0"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="http://example.org/a">\n'
        "  </rdf:Descr>\n"
        "</rdf:RDF>\n",
        4,
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_syntax_error_is_reported_with_file_line_and_column(tmp_path, name):
    content, line = BROKEN[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    run = mxus("validate", path)
    assert run.returncode == 2, run.stdout + run.stderr
    match = re.search(rf"^mxus validate: {re.escape(str(path))}:(\d+):(\d+): .+$", run.stderr, re.MULTILINE)
    assert match, run.stderr
    assert int(match.group(1)) == line, run.stderr
    assert int(match.group(2)) >= 1
    assert f"{path}: unreadable: " in run.stdout


def test_remote_jsonld_context_is_refused_without_fetching_it(tmp_path, listener):
    base, requests = listener.base, listener.requests
    document = {"@context": f"{base}/ctx", "@id": "http://example.org/a", "ex:b": "c"}
    remote = tmp_path / "remote.jsonld"
    remote.write_text(json.dumps(document), encoding="utf-8")
    nested = tmp_path / "nested.jsonld"
    nested.write_text(
        json.dumps({"@context": {"ex": "http://example.org/"}, "@graph": [{"@context": [f"{base}/other"], "@id": "ex:a"}]}),
        encoding="utf-8",
    )

    run = mxus("validate", remote, nested)
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"mxus validate: {remote}: remote JSON-LD context '{base}/ctx' is not fetched" in run.stderr
    assert f"mxus validate: {nested}: remote JSON-LD context '{base}/other' is not fetched" in run.stderr
    assert "embed the context" in run.stderr
    assert requests == [], "the command made a request to the context server"

    # The counter does count: one request of our own is seen.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{base}/ctx", timeout=10) as response:
        assert json.load(response)["@context"]
    assert len(requests) == 1


def test_xml_external_entity_is_refused_and_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-3f9c2b7e-do-not-leak", encoding="utf-8")
    xxe = tmp_path / "xxe.rdf"
    xxe.write_text(
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "{secret.as_uri()}"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
        '  <rdf:Description rdf:about="http://example.org/a"><ex:b>&secret;</ex:b></rdf:Description>\n'
        "</rdf:RDF>\n",
        encoding="utf-8",
    )
    for report_format in ("text", "json"):
        run = mxus("validate", "--format", report_format, xxe)
        assert run.returncode == 2, run.stdout + run.stderr
        assert f"mxus validate: {xxe}:2:1: XML DOCTYPE and ENTITY declarations are not accepted" in run.stderr
        assert "CANARY-3f9c2b7e" not in run.stdout + run.stderr
    assert json.loads(run.stdout)["files"][0]["conforms"] is False


def test_file_and_relative_iris_are_refused(tmp_path):
    file_base = tmp_path / "file-base.ttl"
    file_base.write_text(
        f"@base <{tmp_path.as_uri()}/> .\n<secret.txt> <http://example.org/b> \"c\" .\n", encoding="utf-8"
    )
    relative = tmp_path / "relative.ttl"
    relative.write_text('<thing> <http://example.org/b> "c" .\n', encoding="utf-8")

    run = mxus("validate", file_base, relative)
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"mxus validate: {file_base}: file: IRI <{tmp_path.as_uri()}/secret.txt> is not accepted" in run.stderr
    assert f"mxus validate: {relative}: relative IRI <thing> has no base" in run.stderr
    assert progress_lines(run.stderr) == [f"[1/2] {file_base}", f"[2/2] {relative}"]


def test_unreadable_file_makes_the_exit_code_2_even_after_violations(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://example.org/a> <http://example.org/b> .\n", encoding="utf-8")
    run = mxus("validate", BAD_ISSN, broken, tmp_path / "missing.ttl")
    assert run.returncode == 2, run.stdout + run.stderr
    assert re.search(rf"^mxus validate: {re.escape(str(broken))}:1:\d+: ", run.stderr, re.MULTILINE), run.stderr
    assert f"mxus validate: {tmp_path / 'missing.ttl'}: no such file" in run.stderr
    assert f"{BAD_ISSN}: does NOT conform" in run.stdout


def test_a_reader_that_goes_away_stops_the_command_quietly():
    """`mxus … | head`: once the pipe's reader has gone, the command stops without a traceback (exit 141)."""
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}  # as most shells have it
    command = subprocess.Popen([str(MXUS), "validate", "--format", "turtle", str(MISSING_ANCHOR)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=buffered)
    try:
        command.stdout.close()  # before it writes anything
        _, errors = command.communicate(timeout=180)
    finally:
        command.kill()
    assert b"Traceback" not in errors and b"BrokenPipeError" not in errors, errors.decode()
    assert command.returncode == 141


def test_instance_option_before_or_after_the_action(tmp_path):
    """`mxus tokens add --instance X` and `mxus tokens --instance X list` both use folder X."""
    mxus = Path(sys.executable).parent / "mxus"
    added = subprocess.run([str(mxus), "tokens", "add", "--name", "Ana", "--instance", str(tmp_path)], capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    listed = subprocess.run([str(mxus), "tokens", "--instance", str(tmp_path), "list"], capture_output=True, text=True)
    assert listed.stdout.startswith("Ana\t"), listed.stdout + listed.stderr


def test_serve_refuses_a_base_uri_with_a_path():
    mxus = Path(sys.executable).parent / "mxus"
    run = subprocess.run([str(mxus), "serve", "--base-uri", "http://127.0.0.1:9/mxus/"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "has a path" in run.stderr and "Traceback" not in run.stderr
