"""The ``mxus`` command: validate files, locate passages, serve the dataset, review contributions.

One module per command (``validate``, ``anchor``, ``serve`` with ``load``,
``admin`` for tokens and contributions); each registers its parser.
"""

from __future__ import annotations

import argparse
import os
import select
import sys

from server.cli import admin, anchor, serve, validate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mxus", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for command in (validate, anchor, serve, admin):
        command.register(commands)
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # as given: `serve --workers` starts copies of it
    try:
        status = args.handler(args)
        sys.stdout.flush()  # here, not at exit: a reader that went away is seen below
        return status
    except BrokenPipeError:
        if not _reader_gone(sys.stdout):
            raise  # another pipe (a store, a worker): a real failure, reported as one
        # The reader of our output went away (`mxus … | head`): stop quietly, as other commands do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return 141  # 128 + SIGPIPE, what a shell reports for a command its pipe's reader closed


def _reader_gone(stream) -> bool:
    """Whether ``stream`` is a pipe whose reading end is closed (polling its end says POLLERR)."""
    try:
        poller = select.poll()
        poller.register(stream.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


if __name__ == "__main__":
    sys.exit(main())
