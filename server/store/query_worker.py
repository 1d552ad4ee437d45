"""The query worker: answers queries over a store loaded once; killed when a query runs too long.

``python -m server.store.query_worker --zygote FD`` is the process workers are forked
from (``server.store.zygote``): it isolates itself from the network, loads the published
files, then forks one worker per request it gets over the socket FD, each talking over
a socket of its own that ``server.store.engine.QueryPool`` keeps.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import traceback
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle

from server.store.engine import QueryRequest, StorePlan

CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000


def isolate_network() -> bool:
    """Move this process into a network namespace of its own, with no interfaces up.

    Below the query parser: even a SERVICE clause that slipped past the
    text inspection cannot reach any server, not even on loopback. Needs
    Linux user namespaces (or root); where they are unavailable the worker
    runs as before and says so. Must run while the process has one thread.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    return libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0 or libc.unshare(CLONE_NEWNET) == 0


def zygote(connection: Connection) -> None:
    """Runs in the zygote: isolate, import, load the published files (in memory), then fork workers."""
    isolated = isolate_network()  # while this process has one thread; every worker forked from it inherits it

    import resource

    import pyoxigraph as ox

    from server.store.errors import LoadFailed
    from server.store.graphs import load_files

    plan: StorePlan
    plan, memory_limit_bytes = connection.recv()
    if memory_limit_bytes:  # the files must fit in a worker's limit, as when each worker loaded them
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))
    base = None
    if not plan.path:  # an on-disk store is opened by each worker, read-only
        try:
            base = ox.Store()
            load_files(base, plan.files)
        except (LoadFailed, OSError, MemoryError) as exc:
            connection.send(("failed", str(exc) or "the published files do not fit in WORKER_MEMORY_MB"))
            return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers: no zombie when one is killed
    connection.send(("ready", {"network_isolated": isolated}))
    while True:
        try:
            connection.recv()  # ("fork",)
            worker_end = recv_handle(connection)
        except (EOFError, OSError):
            return  # the server is gone: its workers see their sockets close and end too
        pid = os.fork()
        if pid == 0:
            connection.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            status = 0
            try:
                serve(Connection(worker_end), base, isolated)
            except (KeyboardInterrupt, BrokenPipeError, EOFError, ConnectionResetError):
                pass  # Ctrl-C reaches the whole process group; or the server is gone
            except BaseException:
                traceback.print_exc()  # to the server's log: a worker's crash is not silent
                status = 1
            finally:
                os._exit(status)
        os.close(worker_end)
        connection.send(("forked", pid))


def serve(connection: Connection, base, isolated: bool) -> None:
    """Runs in a worker forked from the zygote: its limits and the contributions so far, then queries."""
    import resource

    import pyoxigraph as ox

    from server.store.graphs import DEFAULT_GRAPHS, PRUNE_ACCEPTED, disk_store, write_dump

    plan: StorePlan
    plan, additions, memory_limit_bytes, max_result_bytes = connection.recv()
    if memory_limit_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))
    try:
        if plan.path:  # prepared by the pool, additions included
            store = ox.Store.read_only(str(disk_store(plan.path)))
        else:
            store = base  # the zygote's, shared page by page until this worker writes
            if additions:
                store.load(additions, format=ox.RdfFormat.N_QUADS)
                store.update(PRUNE_ACCEPTED)
    except (OSError, MemoryError) as exc:
        connection.send(("failed", str(exc)))
        return
    on_disk = bool(plan.path)
    result = None
    connection.send(("ready", {"network_isolated": isolated}))
    while True:
        try:
            request: QueryRequest | tuple = connection.recv()
        except EOFError:
            return
        if isinstance(request, tuple) and request[0] == "dump":
            _, destination, media_type, graphs, prefixes = request
            try:
                write_dump(store, destination, media_type, graphs, prefixes)
                connection.send(("ok", b""))
            except (OSError, ValueError) as exc:
                connection.send(("error", f"the dump could not be written: {exc}"))
            continue
        if isinstance(request, tuple) and request[0] == "close":  # the pool writes to the on-disk store
            store = result = None  # a result holds a snapshot of the store: both go, and RocksDB closes
            gc.collect()
            connection.send(("closed", None))
            continue
        if isinstance(request, tuple) and request[0] == "reopen":  # the write is done: read what it wrote
            try:
                store = ox.Store.read_only(str(disk_store(plan.path)))
            except OSError as exc:
                connection.send(("failed", str(exc)))
                return
            connection.send(("ready", {"network_isolated": isolated}))
            continue
        if isinstance(request, tuple) and request[0] == "load":
            store.load(request[1], format=ox.RdfFormat.N_QUADS)
            store.update(PRUNE_ACCEPTED)
            connection.send(("loaded", None))
            continue
        try:
            if on_disk and tuple(request.default_graphs) == DEFAULT_GRAPHS:
                default_graph = [ox.DefaultGraph()]  # the same triples, stored once as the store's own
            else:
                default_graph = [ox.NamedNode(g) for g in request.default_graphs]
            result = store.query(
                request.text,
                base_iri=request.base_iri,
                default_graph=default_graph,
                named_graphs=None
                if request.named_graphs is None
                else [ox.NamedNode(g) for g in request.named_graphs],
            )
            if isinstance(result, ox.QueryTriples):
                body = ox.serialize(result, format=ox.RdfFormat.from_media_type(request.media_type))
            else:
                body = result.serialize(format=ox.QueryResultsFormat.from_media_type(request.media_type))
            if len(body) > max_result_bytes:
                connection.send(("too-large", len(body)))
            else:
                connection.send(("ok", body))
        except SyntaxError as exc:
            connection.send(("syntax", str(exc)))
        except MemoryError:
            connection.send(("error", "the query exceeded the memory limit"))
        except Exception as exc:  # engine errors become a clear 500, the worker lives on
            connection.send(("error", f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__" and sys.argv[1:2] == ["--zygote"]:
    try:
        zygote(Connection(int(sys.argv[2])))
    except KeyboardInterrupt:
        pass  # Ctrl-C reaches the whole process group; the server stops its workers itself
