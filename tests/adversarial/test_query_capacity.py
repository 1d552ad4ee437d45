"""Runaway queries from anonymous clients cannot starve the site or other clients.

Two clients send runaway queries (as an attacker would, in a loop): they
fill the public lane, a second query of theirs is refused 429, another
client's query is answered by the worker of the oldest runaway, stopped to
make room, and pages and /data are answered meanwhile by the site's own
worker. Once the runaways are stopped at the time limit their
clients are over budget (429 with Retry-After) while another client is
answered. Every check is on ordering and outcome, never on durations; the
one duration that matters is the time limit, which must outlast the steps
taken while a runaway still runs (about 2 s on a loaded machine; 5 s given).
"""

from __future__ import annotations

import os
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from server import create_app
from server.settings import SettingError, check_settings
from server.web.limits import ClientLimits
from tests.production import running_production

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIGHT = "ASK { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}
ATTACKERS = ("10.0.0.1", "10.0.0.2")
BYSTANDER = "10.0.0.3"
PROXY = "10.9.9.9"
TIME_LIMIT = 5  # long enough for the steps run while a runaway still runs (about 2 s on a loaded machine); it burns a core meanwhile
WINDOW = 600


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = create_app({
        "INSTANCE_DIR": tmp_path_factory.mktemp("capacity") / "instance",
        "QUERY_WORKERS": 2, "SITE_WORKERS": 1, "QUERY_TIMEOUT": TIME_LIMIT, "PUBLIC_QUEUE_SECONDS": 1,
        "PER_CLIENT_QUERIES": 1, "PER_CLIENT_QUERY_SECONDS": 5, "PER_CLIENT_WINDOW_SECONDS": WINDOW,
        "TRUSTED_PROXIES": [PROXY],
    })
    yield app
    app.extensions["mxus"].store.close()


def sparql(app, client: str, text: str = LIGHT, headers: dict | None = None):
    return app.test_client().get("/sparql?query=" + quote(text), headers={**JSON, **(headers or {})},
                                 environ_base={"REMOTE_ADDR": client})


def fresh(tag) -> str:
    """A light query no one has sent before: it cannot be answered from the result cache."""
    return f"{LIGHT} # {tag}"


def wait_until(condition, what: str, tries: int = 400) -> None:
    for _ in range(tries):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def niceness(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def test_runaway_clients_get_neither_the_site_nor_other_clients(site):
    pool = site.extensions["mxus"].store._pool
    limits = site.extensions["mxus"].limits
    public_pids = {w.process.pid for w in pool._idle.queue if w.lane == "public"}
    replies: dict = {}
    runaways = [threading.Thread(target=lambda who=who: replies.__setitem__(who, sparql(site, who, RUNAWAY)))
                for who in ATTACKERS]
    for thread in runaways:
        thread.start()
    wait_until(lambda: all(w.lane == "site" for w in pool._idle.queue), "both public workers taken by the runaways")
    wait_until(lambda: all(niceness(pid) > niceness(0) for pid in public_pids), "the runaways' workers demoted")

    # A second query from an attacker: refused, saying which limit.
    again = sparql(site, ATTACKERS[0])
    assert again.status_code == 429
    assert "at once" in again.get_data(as_text=True) and int(again.headers["Retry-After"]) >= 1
    # Another client finds the public lane full of long queries: the oldest yields its worker.
    assert sparql(site, BYSTANDER).status_code == 200
    wait_until(lambda: sum(thread.is_alive() for thread in runaways) == 1, "the oldest runaway stopped")
    # The site is answered by its own worker while the other runaway still runs.
    page = site.test_client().get("/page/person/colin-powell")
    data = site.test_client().get("/data/person/colin-powell", headers={"Accept": "text/turtle"})
    assert page.status_code == 200 and data.status_code == 200
    assert any(thread.is_alive() for thread in runaways), "answered only after the runaways ended"

    for thread in runaways:
        thread.join(TIME_LIMIT + 60)
    shed = [replies[who] for who in ATTACKERS if replies[who].status_code == 503]
    assert sorted(replies[who].status_code for who in ATTACKERS) == [422, 503]  # the time limit; made room
    assert "to make room" in shed[0].get_data(as_text=True) and shed[0].headers["Retry-After"]
    assert all(limits._clients[who].running == 0 for who in ATTACKERS)

    # Over budget now (a stopped query uses it all), on /sparql and on the query page alike, for any query
    # that must run (one answered before comes from the result cache, to anyone: it costs nothing) ...
    for reply in (sparql(site, ATTACKERS[0], fresh("over budget")),
                  site.test_client().get("/query?query=" + quote(fresh("page")), environ_base={"REMOTE_ADDR": ATTACKERS[1]})):
        assert reply.status_code == 429
        assert "query time" in reply.get_data(as_text=True)
        assert 1 <= int(reply.headers["Retry-After"]) <= WINDOW
    # ... while another client is answered (once the stopped workers' replacements have started).
    wait_until(lambda: sum(w.lane == "public" for w in pool._idle.queue) == 2, "the public workers replaced", 1200)
    assert sparql(site, BYSTANDER).status_code == 200

    # X-Forwarded-For: ignored from anyone else, believed from the trusted proxy.
    assert sparql(site, "10.0.0.4", fresh(1), headers={"X-Forwarded-For": ATTACKERS[0]}).status_code == 200
    assert sparql(site, PROXY, fresh(2), headers={"X-Forwarded-For": ATTACKERS[0]}).status_code == 429
    assert sparql(site, PROXY, fresh(3), headers={"X-Forwarded-For": f"{BYSTANDER}, {ATTACKERS[0]}"}).status_code == 429
    assert sparql(site, PROXY, fresh(4), headers={"X-Forwarded-For": f"{ATTACKERS[0]}, {BYSTANDER}"}).status_code == 200


def test_the_service_description_states_the_limits(site):
    described = site.test_client().get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "Per client: 1 query at once and 5 s of query time per 600 s" in described
    assert "429 with Retry-After" in described


@pytest.mark.parametrize("peer, forwarded, client", [
    ("10.0.0.8", "", "10.0.0.8"),
    ("10.0.0.8", "1.2.3.4", "10.0.0.8"),  # not a proxy of ours: its header is the client's own word
    (PROXY, "1.2.3.4", "1.2.3.4"),
    (PROXY, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # what the client wrote first is not believed
    (PROXY, f"1.2.3.4, {PROXY}", "1.2.3.4"),  # through two of our proxies
    (PROXY, "", PROXY),
])
def test_a_client_is_its_address_or_what_a_trusted_proxy_says(site, peer, forwarded, client):
    limits = ClientLimits(check_settings({"TRUSTED_PROXIES": [PROXY]}))
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    with site.test_request_context("/sparql", headers=headers, environ_base={"REMOTE_ADDR": peer}):
        from flask import request

        assert limits.client_of(request) == client


@pytest.mark.parametrize("override, says", [
    ({"TRUSTED_PROXIES": "127.0.0.1"}, "TRUSTED_PROXIES must be a list of IP addresses"),
    ({"TRUSTED_PROXIES": ["proxy.example.org"]}, "TRUSTED_PROXIES must be a list of IP addresses"),
    ({"PER_CLIENT_QUERIES": 0}, "PER_CLIENT_QUERIES must be a positive whole number"),
    ({"PER_CLIENT_QUERY_SECONDS": "20"}, "PER_CLIENT_QUERY_SECONDS must be a positive number of seconds"),
    ({"PER_CLIENT_WINDOW_SECONDS": -60}, "PER_CLIENT_WINDOW_SECONDS must be a positive number of seconds"),
    ({"PUBLIC_QUEUE_SECONDS": 0}, "PUBLIC_QUEUE_SECONDS must be a positive number of seconds"),
    ({"SITE_WORKERS": 0}, "SITE_WORKERS must be a positive whole number"),
])
def test_a_wrong_capacity_setting_is_refused_naming_it(override, says):
    with pytest.raises(SettingError) as refused:
        check_settings(override)
    assert says in str(refused.value)


def test_behind_a_trusted_proxy_the_production_server_tells_clients_apart(tmp_path):
    """The server passes X-Forwarded-For on to the app (waitress strips it unless told not to):
    with one client's runaway query running, that client is refused and another is answered.
    A server of its own, whose runaway ends after 3 s: the shared one would keep it for 10."""
    with running_production(tmp_path, "--query-timeout", "3") as production:
        refused, runaway = send_a_runaway_then_ask(production.base)
        try:
            assert refused, "the runaway client's second query was never refused"
            assert ask(production.base, "10.9.0.254") == 200
        finally:
            runaway.join(120)


def ask(base: str, client: str, text: str = "ASK {}") -> int:
    request = urllib.request.Request(base + "sparql?query=" + quote(text),
                                     headers={"X-Forwarded-For": client, "Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            reply.read()
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def send_a_runaway_then_ask(base: str) -> tuple[bool, threading.Thread]:
    """A runaway query from one client, then a second query from it: (refused with 429, the runaway's thread)."""
    for attempt in range(1, 11):  # bounded; the client's ASK may win the race to the server: then again, as
        client = f"10.9.0.{attempt}"  # a new client (a runaway that ran to the limit spent its client's budget)
        runaway = threading.Thread(target=ask, args=(base, client, RUNAWAY))
        runaway.start()
        time.sleep(0.5)
        refused = runaway.is_alive() and ask(base, client) == 429
        if refused:
            break
        runaway.join(120)
    return refused, runaway
