"""The servers compared: each knows how to prepare, start and be asked for a description."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.production import production_command

from . import ID, ROOT, VENV_BIN
from .processes import RssSampler, folder_size_mb, free_port, start, stop
from .workload import sparql_request

class System:
    name = ""

    def __init__(self, corpus: Path, work: Path):
        self.corpus, self.work, self.port = corpus, work, free_port()
        self.proc: subprocess.Popen | None = None
        self.sampler: RssSampler | None = None
        self.ready_s = self.load_s = None
        self.note = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sparql_url(self) -> str:
        return self.base + "/sparql"

    def command(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        pass

    def probe_url(self) -> str:
        """What launch() polls until the server answers 2xx."""
        return self.sparql_url + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})

    def describe_request(self, kind: str, slug: str) -> urllib.request.Request:
        """The request for the Turtle description of one corpus resource (a SPARQL DESCRIBE by default)."""
        return sparql_request(self.sparql_url, f"DESCRIBE <{ID}{kind}/{slug}>", "text/turtle")

    def launch(self, timeout: float) -> bool:
        self.prepare()
        started = time.monotonic()
        self.proc = start(self.command(), self.work / f"{self.name}.log", env=self.env())
        self.sampler = RssSampler(self.proc.pid)
        self.sampler.start()
        probe = self.probe_url()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                self.note = f"exited with {self.proc.returncode} (see {self.work / (self.name + '.log')})"
                return False
            try:
                request = urllib.request.Request(probe, headers={"Accept": "application/sparql-results+json"})
                with urllib.request.urlopen(request, timeout=5) as answer:
                    answer.read()
                self.ready_s = time.monotonic() - started
                return True
            except urllib.error.HTTPError as exc:
                self.note = f"answers {exc.code} at {self.sparql_url}"
                return False
            except OSError:
                time.sleep(0.1)
        self.note = f"not ready after {timeout:.0f} s"
        return False

    def env(self):
        return None

    def shutdown(self) -> None:
        if self.sampler:
            self.sampler.done.set()
            self.sampler.join()
        if self.proc:
            stop(self.proc)

    @property
    def peak_rss_mb(self) -> float | None:
        return self.sampler.peak_kb / 1024 if self.sampler else None

    def data_folder(self) -> Path | None:
        """Where the system keeps the data on disk (None: in memory only)."""
        return None

    @property
    def disk_mb(self) -> float | None:
        folder = self.data_folder()
        return folder_size_mb(folder) if folder else None

    def remove_files(self) -> None:
        folder = self.data_folder()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


class Mxus(System):
    name = "mxus"

    def __init__(self, corpus, work, server: str, store: str = "memory"):
        super().__init__(corpus, work)
        self.server = server
        # "disk": an on-disk store (--store-path), loaded before the start as Oxigraph's is (load_s)
        self.store_path = work / f"mxus-store-{corpus.stem}" if store == "disk" else None

    def prepare(self):
        if self.store_path is None:
            return
        shutil.rmtree(self.store_path, ignore_errors=True)
        started = time.monotonic()
        code = (
            "import sys; from server.settings import check_settings; from server.publication.dataset import load_published; "
            "from server.store.graphs import prepare_disk_store; "
            "p = load_published(check_settings({'DATA_PATHS': [sys.argv[1]]})); "
            "prepare_disk_store(sys.argv[2], p.graph_files(), p.digest, b'')"
        )
        subprocess.run([sys.executable, "-c", code, str(self.corpus), str(self.store_path)], cwd=ROOT, check=True,
                       timeout=1800)
        self.load_s = time.monotonic() - started

    def command(self):
        config = {
            "BASE_URI": f"{self.base}/",
            "DATA_PATHS": [str(self.corpus)],
            "INSTANCE_DIR": str(self.work / "mxus-instance"),
            # Every benchmark client has one address: per-client limits would measure the limits, not the server.
            "PER_CLIENT_QUERIES": 100, "PER_CLIENT_WINDOW_SECONDS": 0.001,
        }
        store = ["--store-path", str(self.store_path)] if self.store_path else []
        if self.store_path:
            config["STORE_PATH"] = str(self.store_path)
        if self.server == "gunicorn":
            return [
                str(VENV_BIN / "gunicorn"), "--workers", "1", "--threads", "8", "--bind", f"127.0.0.1:{self.port}",
                "--timeout", "600", "--log-level", "warning", f"server:create_app({json.dumps(config)})",
            ]
        return [  # the README's production command (waitress), on loopback
            *production_command("127.0.0.1", self.port), "--data", str(self.corpus),
            "--instance", str(self.work / "mxus-instance"), *store, "--client-queries", "100",
            "--client-window-seconds", "0.001",
        ]

    def describe_request(self, kind, slug):
        return urllib.request.Request(f"{self.base}/data/{kind}/{slug}", headers={"Accept": "text/turtle"})

    def data_folder(self):
        return self.store_path


class Oxigraph(System):
    name = "oxigraph"

    def prepare(self):
        location = self.work / f"oxigraph-{self.corpus.stem}"
        shutil.rmtree(location, ignore_errors=True)
        started = time.monotonic()
        subprocess.run(
            [str(VENV_BIN / "oxigraph"), "load", "--location", str(location), "--file", str(self.corpus)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900,
        )
        self.load_s = time.monotonic() - started
        self.location = location

    def data_folder(self):
        return getattr(self, "location", None)

    def command(self):
        return [str(VENV_BIN / "oxigraph"), "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"]

    @property
    def sparql_url(self):
        return self.base + "/query"


class RdflibEndpoint(System):
    name = "rdflib-endpoint"

    @property
    def sparql_url(self):
        return self.base + "/"  # rdflib-endpoint serves SPARQL at the root by default

    def __init__(self, corpus, work, venv: Path):
        super().__init__(corpus, work)
        self.venv = venv

    def command(self):
        return [str(self.venv / "bin" / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                str(self.corpus)]

