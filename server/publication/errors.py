"""What the domain refuses, each with the HTTP status it stands for.

The web layer renders them in one place (``server.web.errors``); the
command line prints their message and exits non-zero.
"""

from __future__ import annotations


class PublicationError(Exception):
    status = 400

    def __init__(self, message: str, status: int | None = None, spec: str | None = None):
        super().__init__(message)
        self.message = message
        self.spec = spec
        if status is not None:
            self.status = status


class InputRefused(PublicationError):
    """A body or query this service will not take as sent (400, 403, 413, 415 or 422, as given)."""


class NotConforming(PublicationError):
    """A submission with SHACL violations: 422, with the report."""

    status = 422

    def __init__(self, report):
        super().__init__("the submission does not conform to the shapes")
        self.report = report


class ContributionNotFound(PublicationError, KeyError):
    status = 404

    def __init__(self, contribution_id: str):
        super().__init__(f"no contribution {contribution_id}")

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class InvalidTransition(PublicationError):
    """A decision on a contribution that is no longer pending: 409."""

    status = 409


class ValidatorBusy(PublicationError):
    """An anonymous validation that found the validator busy for longer than it may wait: 503."""

    status = 503

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class NotPublished(PublicationError):
    """Recorded durably, but the store could not take it (its status: 502 or 503)."""
