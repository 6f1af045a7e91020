"""The hook's rule table: one rule per entity (Presidio's entity names), plus the per-file
rules every hook has."""

from __future__ import annotations

from mlgate.findings import RuleInfo, file_rules
from mlgate.hooks.pii.config import DEFAULT_ENTITIES

TRUNCATED_RULE = "pii/file-truncated"

LABELS = {
    "EMAIL_ADDRESS": "e-mail address", "PHONE_NUMBER": "phone number",
    "CREDIT_CARD": "payment card number", "US_SSN": "US social security number",
    "IBAN_CODE": "IBAN", "IP_ADDRESS": "IP address", "PERSON": "person name",
    "LOCATION": "location",
}

# Other Presidio entities a policy enables are reported as `pii/<ENTITY>` with the same
# metadata; these are the ones a default policy reports.
RULES: tuple[RuleInfo, ...] = (
    *(RuleInfo(f"pii/{e}", LABELS[e], anchor="what-is-found") for e in DEFAULT_ENTITIES),
    # (pii reports a file it could not read as an `errors` entry, never as not-scanned)
    file_rules("pii", anchor="findings")[0],
)
