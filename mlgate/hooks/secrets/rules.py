"""The hook's rule table: stable ids, messages and default severities (SARIF and docs)."""

from __future__ import annotations

from mlgate.findings import RuleInfo, file_rules
from mlgate.hooks.secrets.ds_plugins import MESSAGES, PLUGINS
from mlgate.hooks.secrets.provider_rules import GENERIC_RULE
from mlgate.hooks.secrets.provider_rules import RULES as _OWN

_PLUGIN_IDS = {f"secrets/{name}" for name, _ in PLUGINS.values()}
_OWN_IDS: dict[str, str] = {}
for _rule in _OWN:
    if _rule.rule not in _PLUGIN_IDS:
        _OWN_IDS.setdefault(_rule.rule, _rule.message)

RULES: tuple[RuleInfo, ...] = (
    # one entry per id: kaggle-api-key has two patterns, and aws-access-key's INI/.env form is
    # ours while its id and message are detect-secrets' plugin's
    *(RuleInfo(rule, _OWN_IDS[rule], anchor="rules") for rule in _OWN_IDS),
    *(RuleInfo(f"secrets/{name}", MESSAGES[name], anchor="rules")
      for name in dict.fromkeys(name for name, _ in PLUGINS.values())),
    RuleInfo(f"secrets/{GENERIC_RULE}", "Secret assigned to a key, token or password name",
             anchor="rules"),
    RuleInfo("secrets/high-entropy-base64", MESSAGES["high-entropy-base64"],
             anchor="rules"),
    RuleInfo("secrets/high-entropy-hex", MESSAGES["high-entropy-hex"], anchor="rules"),
    *file_rules("secrets", anchor="rules"),
)
