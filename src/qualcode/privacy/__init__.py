"""Pseudonymisation: find personal data, review it, and replace it with consistent pseudonyms.

    from qualcode.privacy import PseudonymKey, scan, decide, accept_kind, apply
    key = PseudonymKey.open(p)          # <store>.key.sqlite, apart from the project, mode 0600
    scan(p, key)                        # findings pending review (a DataFrame)
    accept_kind(key, "postcode"); decide(key, [12], accept=False)
    apply(p, key, by="dawn")            # new pseudonymised versions, every coding carried

`qualcode.privacy.detect.detect(text)` finds personal data in one text. The review widget is
`qualcode.widgets.RedactionReview`; the command is `qualcode redact`.
"""

from __future__ import annotations

from qualcode.privacy.detect import KINDS, LABELS, STRUCTURED, Finding, nhs_number_valid
from qualcode.privacy.errors import NotPseudonymisedError, PendingFindingsError, PrivacyError
from qualcode.privacy.key import PseudonymKey, default_key_path
from qualcode.privacy.redact import (
    accept_kind,
    apply,
    decide,
    findings_df,
    is_pseudonymised,
    open_key,
    purge,
    require_pseudonymised,
    scan,
)

__all__ = [
    "KINDS",
    "LABELS",
    "STRUCTURED",
    "Finding",
    "NotPseudonymisedError",
    "PendingFindingsError",
    "PrivacyError",
    "PseudonymKey",
    "accept_kind",
    "apply",
    "decide",
    "default_key_path",
    "findings_df",
    "is_pseudonymised",
    "nhs_number_valid",
    "open_key",
    "purge",
    "require_pseudonymised",
    "scan",
]
