"""One validation at a time, contributors first.

pySHACL evaluates SPARQL-based constraints with rdflib's SPARQL parser, a pyparsing grammar that is
not thread-safe: two validations parsing at once in the threaded server fail with TypeError
(Param.postParse2() missing ...). Validation is CPU-bound Python, so running one at a time costs no
throughput; but a plain lock promises no order, and anonymous /validate requests (anyone, as often
as they like) would make contributors wait behind all of them. Here a contributor waits only for
the validation running; an anonymous request waits while any contributor waits, and gives up
after its own wait (ValidatorBusy: 503 with Retry-After). Parsing and the guard are CPU-bound Python
too, sharing one interpreter lock with the contributor's request: so anonymous requests are also
admitted one at a time from parsing to report (``anonymous``), and the others wait without working.
"""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager

from server.publication.errors import ValidatorBusy


class ValidationGate:
    def __init__(self):
        self._turns = threading.Condition()
        self._busy = False
        self._contributors_waiting = 0
        self._anonymous = threading.Lock()

    @contextmanager
    def anonymous(self, wait: float):
        """One anonymous request at a time, from parsing its body to its report; ValidatorBusy after ``wait``."""
        if not self._anonymous.acquire(timeout=wait):
            raise _busy(wait)
        try:
            yield
        finally:
            self._anonymous.release()

    @contextmanager
    def turn(self, anonymous_wait: float | None = None):
        """A contributor's turn (``anonymous_wait`` None) waits until the validator is free; an
        anonymous turn waits at most ``anonymous_wait`` seconds for it and for no contributor waiting."""
        with self._turns:
            if anonymous_wait is None:
                self._contributors_waiting += 1
                try:
                    self._turns.wait_for(lambda: not self._busy)
                finally:
                    self._contributors_waiting -= 1
            elif not self._turns.wait_for(lambda: not self._busy and not self._contributors_waiting, anonymous_wait):
                raise _busy(anonymous_wait)
            self._busy = True
        try:
            yield
        finally:
            with self._turns:
                self._busy = False
                self._turns.notify_all()


def _busy(wait: float) -> ValidatorBusy:
    return ValidatorBusy(
        f"the validator is busy: a request without a contributor's token waits at most {wait:g} s "
        "(ANONYMOUS_VALIDATION_WAIT_SECONDS) and contributors go first; try again shortly",
        retry_after=max(1, math.ceil(wait)),
    )
