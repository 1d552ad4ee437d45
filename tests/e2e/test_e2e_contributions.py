"""Contributions against a real ``mxus serve --instance DIR`` process: concurrency,
a crash (SIGKILL to the server and its query workers) and restarts.

What a 201 promises is checked after the fact, from the outside: the
contribution is on disk, readable over HTTP and queryable in its named graph,
also after the process was killed without warning and started again.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from rdflib import Graph
from rdflib.compare import isomorphic

from server.publication.tokens import TokenRegistry

POWELL = "https://w3id.org/mxus/id/person/colin-powell"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
CONTRIBUTION = "https://w3id.org/mxus/id/contribution/"


def http_request(url: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None, timeout: float = 30):
    """One exchange over a fresh connection: status, lower-cased headers, body (no redirects)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body, headers=headers or {})
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        data = response.read()
    finally:
        connection.close()
    return SimpleNamespace(
        status=response.status, body=data, text=data.decode("utf-8", "replace"), header=lambda name: headers.get(name.lower(), "")
    )


def see_also_body(tag: str) -> tuple[bytes, str]:
    """An N-Triples contribution: a new rdfs:seeAlso on Colin Powell."""
    return f"<{POWELL}> <{SEE_ALSO}> <https://example.org/powell/{tag}> .\n".encode(), "application/n-triples"


def concept_body(tag: str) -> tuple[bytes, str]:
    """A Turtle contribution: a new topic labelled in English and Spanish."""
    body = f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/mxus/id/concept/topic-{tag}> a skos:Concept ;
    rdfs:label "topic {tag}"@en , "tema {tag}"@es ;
    skos:prefLabel "topic {tag}"@en , "tema {tag}"@es ;
    skos:inScheme <https://w3id.org/mxus/id/scheme/topics> .
"""
    return body.encode(), "text/turtle"


def body_for(index: int, prefix: str) -> tuple[bytes, str]:
    return concept_body(f"{prefix}-{index}") if index % 2 else see_also_body(f"{prefix}-{index}")


RDFLIB_FORMATS = {"application/n-triples": "nt", "text/turtle": "turtle"}


def as_graph(body: bytes, media_type: str) -> Graph:
    return Graph().parse(data=body.decode("utf-8"), format=RDFLIB_FORMATS[media_type])


def post(base: str, token: str, body: bytes, media_type: str, timeout: float = 120):
    headers = {"Content-Type": media_type, "Authorization": f"Bearer {token}", "Accept": "application/json"}
    return http_request(base + "contributions", "POST", headers, body, timeout=timeout)


def contribution_id(reply) -> str:
    location = reply.header("Location")
    assert location.startswith("/contributions/"), location
    return location.rsplit("/", 1)[1]


def stored_folders(instance: Path) -> list[Path]:
    return sorted(p for p in (instance / "contributions").iterdir() if p.is_dir() and not p.name.startswith("."))


def leftovers(instance: Path) -> list[Path]:
    return sorted((instance / "contributions").rglob(".tmp-*"))


def sparql(base: str, query: str) -> dict:
    reply = http_request(f"{base}sparql?query={quote(query, safe='')}", headers={"Accept": "application/sparql-results+json"})
    assert reply.status == 200, reply.text
    return json.loads(reply.body)


def ask(base: str, query: str) -> bool:
    return sparql(base, query)["boolean"]


def triples_pattern(graph: Graph) -> str:
    return " ".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph)


def in_named_graph(base: str, cid: str, graph: Graph) -> bool:
    return ask(base, f"ASK {{ GRAPH <{CONTRIBUTION}{cid}> {{ {triples_pattern(graph)} }} }}")


def in_default_graph(base: str, graph: Graph) -> bool:
    return ask(base, f"ASK {{ {triples_pattern(graph)} }}")


def make_tokens(instance: Path) -> tuple[str, str]:
    registry = TokenRegistry(instance / "tokens.json")
    return registry.add("Ana Contributor", "0000-0002-1825-0097"), registry.add("Mia Maintainer", maintainer=True)


def test_fifty_concurrent_contributions_are_each_stored_exactly_once(servers, tmp_path):
    instance = tmp_path / "instance"
    contributor, _ = make_tokens(instance)
    server = servers.start("--instance", str(instance))
    bodies = [body_for(i, "concurrent") for i in range(50)]
    barrier = threading.Barrier(50)

    def send(index: int):
        body, media_type = bodies[index]
        barrier.wait(30)
        # Validations run one at a time (pySHACL's parser is not thread-safe): the last of fifty waits for
        # the other forty-nine, which on a loaded 2-core machine can take minutes. The client waits.
        return post(server.base, contributor, body, media_type, timeout=600)

    with ThreadPoolExecutor(max_workers=50) as pool:
        replies = list(pool.map(send, range(50)))

    assert [r.status for r in replies] == [201] * 50, [r.text for r in replies if r.status != 201][:3]
    ids = [contribution_id(r) for r in replies]
    assert len(set(ids)) == 50
    assert [json.loads(r.body)["id"] for r in replies] == ids

    folders = stored_folders(instance)
    assert sorted(f.name for f in folders) == sorted(ids)
    assert leftovers(instance) == []
    for cid, (body, media_type) in zip(ids, bodies):
        stored = Graph().parse(instance / "contributions" / cid / "content.nt", format="nt")
        assert isomorphic(stored, as_graph(body, media_type)), cid
        meta = json.loads((instance / "contributions" / cid / "meta.json").read_text(encoding="utf-8"))
        assert meta["sha256"] == hashlib.sha256(body).hexdigest()
        assert meta["media_type"] == media_type and meta["status"] == "pending"
    # Exactly once: no two folders hold the same content.
    contents = [(f / "content.nt").read_bytes() for f in folders]
    assert len(set(contents)) == 50

    listing = http_request(server.base + "contributions?per_page=100", headers={"Accept": "application/json"})
    assert json.loads(listing.body)["total"] == 50
    graphs = sparql(
        server.base,
        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{CONTRIBUTION}")) }}',
    )
    assert len(graphs["results"]["bindings"]) == 50
    # Pending: none of them is in the default graph.
    assert not ask(server.base, f"ASK {{ <{POWELL}> <{SEE_ALSO}> ?page FILTER(CONTAINS(STR(?page), 'concurrent')) }}")
    assert "Traceback" not in server.log_text()


def test_sigkill_mid_stream_loses_no_acknowledged_contribution_and_restart_keeps_decisions(servers, tmp_path):
    instance = tmp_path / "instance"
    contributor, maintainer = make_tokens(instance)
    first = servers.start("--instance", str(instance))

    acknowledged: dict[str, tuple[bytes, str]] = {}
    lock, stop = threading.Lock(), threading.Event()

    def stream(worker: int) -> None:
        index = 0
        while not stop.is_set():
            body, media_type = body_for(index, f"stream-{worker}")
            index += 1
            try:
                reply = post(first.base, contributor, body, media_type, timeout=30)
            except (OSError, http.client.HTTPException):  # the server is gone, maybe in the middle of
                return  # an answer's body: this one was never acknowledged
            if reply.status == 201:
                with lock:
                    acknowledged[contribution_id(reply)] = (body, media_type)

    threads = [threading.Thread(target=stream, args=(n,), daemon=True) for n in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 16 and time.monotonic() < deadline:
        time.sleep(0.05)
    servers.kill(first)  # requests are in flight: the four clients never stop sending
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(acknowledged) >= 16
    assert not servers.alive(first), "a query worker outlived the SIGKILL of its group"

    # What a crash in the middle of writing would leave: a half-written staging folder, and a
    # half-written replacement of an acknowledged contribution's meta.json.
    some_id = next(iter(acknowledged))
    staging = instance / "contributions" / ".tmp-20000101t000000-000000000000"
    staging.mkdir(exist_ok=True)
    (staging / "content.nt").write_bytes(b"<https://example.org/half> <https://example.org/writ")
    (instance / "contributions" / some_id / ".tmp-x1y2z3.json").write_bytes(b'{"status": "acc')

    second = servers.start("--instance", str(instance))
    assert leftovers(instance) == [], "temporary files survived the restart"
    listing = json.loads(http_request(second.base + "contributions?per_page=100").body)
    listed = {item["id"] for item in listing["items"]}
    assert set(acknowledged) <= listed
    assert len(listed - set(acknowledged)) <= len(threads)  # stored but cut off before the 201 reached the client
    assert all(not cid.startswith(".") for cid in listed)
    assert listing["total"] == len(stored_folders(instance))
    for cid, (body, media_type) in acknowledged.items():
        reply = http_request(second.base + f"contributions/{cid}", headers={"Accept": "application/json"})
        assert reply.status == 200, (cid, reply.text)
        assert json.loads(reply.body)["sha256"] == hashlib.sha256(body).hexdigest()
        content = http_request(second.base + f"contributions/{cid}", headers={"Accept": "application/n-triples"})
        served = Graph().parse(data=content.text.replace(second.base, "https://w3id.org/mxus/"), format="nt")
        assert isomorphic(served, as_graph(body, media_type)), cid
        assert in_named_graph(second.base, cid, as_graph(body, media_type)), cid

    # Decisions and provenance survive a restart (another SIGKILL, to be sure they were durable).
    accepted_id, rejected_id = sorted(acknowledged)[:2]
    for cid, action in ((accepted_id, "accept"), (rejected_id, "reject")):
        reply = http_request(second.base + f"contributions/{cid}/{action}", "POST", {"Authorization": f"Bearer {maintainer}"})
        assert reply.status == 200, reply.text
    accepted_graph = as_graph(*acknowledged[accepted_id])
    rejected_graph = as_graph(*acknowledged[rejected_id])
    assert in_default_graph(second.base, accepted_graph)
    servers.kill(second)

    third = servers.start("--instance", str(instance))
    accepted = json.loads(http_request(third.base + f"contributions/{accepted_id}").body)
    assert accepted["status"] == "accepted"
    assert [step["by"] for step in accepted["history"]] == ["Mia Maintainer"]
    assert json.loads(http_request(third.base + f"contributions/{rejected_id}").body)["status"] == "rejected"
    assert in_default_graph(third.base, accepted_graph)
    assert not in_default_graph(third.base, rejected_graph)
    assert in_named_graph(third.base, rejected_id, rejected_graph)
    provenance = sparql(
        third.base,
        f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        SELECT ?agent ?name ?time ?format ?sha WHERE {{
          <{CONTRIBUTION}{accepted_id}> prov:wasAttributedTo ?agent ; prov:generatedAtTime ?time ;
              dcterms:format ?format ; <https://schema.org/sha256> ?sha .
          ?agent foaf:name ?name }}""",
    )["results"]["bindings"]
    assert len(provenance) == 1
    assert provenance[0]["agent"]["value"] == "https://orcid.org/0000-0002-1825-0097"
    assert provenance[0]["name"]["value"] == "Ana Contributor"
    assert provenance[0]["format"]["value"] == acknowledged[accepted_id][1]
    assert provenance[0]["sha"]["value"] == hashlib.sha256(acknowledged[accepted_id][0]).hexdigest()
    assert provenance[0]["time"]["value"].startswith(accepted["submitted"][:19])
    assert not ask(third.base, f"ASK {{ <{CONTRIBUTION}{rejected_id}> ?p ?o }}")  # no provenance of a rejected one
    for server in (second, third):
        assert "Traceback" not in server.log_text()
