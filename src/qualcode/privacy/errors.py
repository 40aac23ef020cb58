"""Errors a user can cause while pseudonymising."""

from __future__ import annotations

from qualcode.errors import QualcodeError


class PrivacyError(QualcodeError):
    """The key file, a finding or a redaction step cannot be used as asked."""


class PendingFindingsError(PrivacyError):
    """Findings still wait for a reviewer's accept or reject, so nothing was applied."""


class NotPseudonymisedError(PrivacyError):
    """An export restricted to pseudonymised text met documents that are not."""
