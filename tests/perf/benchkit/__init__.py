"""The benchmark's parts (run by tests/perf/bench.py; never collected by pytest).

processes: starting and stopping servers, RSS and disk use; systems: mxus, Oxigraph server and
rdflib-endpoint as servers to measure; nginx and tools: the static-file yardstick and its Debian tools;
workload: the query mix and the load driver; dereference: /data vs DESCRIBE and the wrk runs;
validation: contribution validation timing; comparison: one corpus size, every system; curve: the cost
curve across sizes, its table and plot; report: tables and the environment; main: the command line.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PERF = ROOT / "tests" / "perf"
VENV_BIN = Path(sys.executable).parent
ID = "https://w3id.org/mxus/id/"
