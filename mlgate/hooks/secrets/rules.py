"""The hook's rule table: stable ids, messages and default severities (SARIF and docs)."""

from __future__ import annotations

from mlgate.findings import RuleInfo, file_rules
from mlgate.hooks.secrets.ds_plugins import MESSAGES, PLUGINS
from mlgate.hooks.secrets.provider_rules import GENERIC_RULE
from mlgate.hooks.secrets.provider_rules import RULES as _OWN

RULES: tuple[RuleInfo, ...] = (
    *(RuleInfo(r.rule, r.message, anchor="rules") for r in _OWN),
    *(RuleInfo(f"secrets/{name}", MESSAGES[name], anchor="rules")
      for name in dict.fromkeys(name for name, _ in PLUGINS.values())),
    RuleInfo(f"secrets/{GENERIC_RULE}", "Secret assigned to a key, token or password name",
             anchor="rules"),
    RuleInfo("secrets/high-entropy-base64", MESSAGES["high-entropy-base64"],
             anchor="rules"),
    RuleInfo("secrets/high-entropy-hex", MESSAGES["high-entropy-hex"], anchor="rules"),
    *file_rules("secrets"),
)
