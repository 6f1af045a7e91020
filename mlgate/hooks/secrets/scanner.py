"""detect-ml-secrets: credentials of the ML ecosystem in text files and notebooks.

Prefilter, then confirm. A cheap pass finds candidate lines with `str.find` of lowercase
literal anchors (every rule below, and every detect-secrets plugin we run, needs one of them
on the line to match). Only candidate lines go to the confirmers: our own rules for ML
providers, and detect-secrets 1.5.0's regex plugins (AWS, Slack, Stripe, JWT, …) with its
filters. detect-secrets is imported only when a candidate line needs it.

Deliberate differences from detect-secrets (notes/secrets.md): no `is_indirect_reference`
filter (it drops `OpenAI(api_key="sk-…")`), GitHub tokens and private keys are hashed whole,
modern OpenAI keys are found, and the high-entropy plugins are opt-in (`[secrets] entropy`).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick_rs

from mlgate.errors import MlgateError
from mlgate.policy import Policy

CHECK = "secrets"
WINDOW = 8192  # very long lines are confirmed in overlapping windows: bounded regex work
OVERLAP = 1024


@dataclass(frozen=True)
class Rule:
    name: str
    message: str
    pattern: re.Pattern[str]  # the secret is the group "s" if present, else the whole match
    anchors: tuple[str, ...]  # lowercase substrings, one of which must be on the line
    prefix: str = ""  # public prefix shown in the excerpt
    filename: str = ""  # only in files of this name (kaggle.json)

    @property
    def rule(self) -> str:
        return f"{CHECK}/{self.name}"


def min_width(patterns: Iterable[re.Pattern[str]]) -> int:
    """The shortest text any of `patterns` can match: a line shorter than that is skipped."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_parse as parser
    try:
        return min(int(parser.parse(p.pattern, p.flags).getwidth()[0]) for p in patterns)
    except Exception:  # an internal API: when it changes, skip nothing
        return 0


def _r(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


_B = r"(?<![A-Za-z0-9_])"  # start boundary of a token
_E = r"(?![A-Za-z0-9_])"  # end boundary


def _near(keyword: str, value: str) -> re.Pattern[str]:
    """A value of a service without a fixed prefix: within 60 characters after its name."""
    return _r(f"(?i:{keyword}).{{0,60}}?(?<![A-Za-z0-9_-])(?P<s>{value})(?![A-Za-z0-9_-])")


RULES: tuple[Rule, ...] = (
    Rule("huggingface-token", "Hugging Face access token",
         _r(_B + r"(?P<s>hf_[A-Za-z]{34})" + _E), ("hf_",), "hf_"),
    Rule("huggingface-org-token", "Hugging Face organization API token (legacy)",
         _r(_B + r"(?P<s>api_org_[A-Za-z]{34})" + _E), ("api_org_",), "api_org_"),
    Rule("anthropic-api-key", "Anthropic API key",
         _r(_B + r"(?P<s>sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA)" + _E),
         ("sk-ant-",), "sk-ant-"),
    Rule("openrouter-api-key", "OpenRouter API key",
         _r(_B + r"(?P<s>sk-or-v1-[0-9a-f]{64})" + _E), ("sk-or-v1-",), "sk-or-v1-"),
    Rule("openai-api-key", "OpenAI API key",
         _r(_B + r"(?P<s>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}"
            r"|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})" + _E), ("sk-",), "sk-"),
    Rule("deepseek-api-key", "DeepSeek API key",
         _near("deepseek", r"sk-[a-z0-9]{32}"), ("deepseek",),
         "sk-"),
    Rule("wandb-api-key", "Weights & Biases API key",
         _r(_B + r"(?P<s>wandb_v1_[A-Za-z0-9_]{77})" + _E), ("wandb_v1_",), "wandb_v1_"),
    Rule("wandb-api-key-legacy", "Weights & Biases API key",
         _near("wandb", r"(?:local-)?[0-9a-f]{40}"),
         ("wandb",)),
    Rule("replicate-api-token", "Replicate API token",
         _r(_B + r"(?P<s>r8_[A-Za-z0-9]{37})" + _E), ("r8_",), "r8_"),
    Rule("cohere-api-key", "Cohere API key",
         _near("cohere|co_api_key", r"[A-Za-z0-9]{40}"),
         ("cohere", "co_api_key")),
    Rule("kaggle-api-token", "Kaggle API token",
         _r(_B + r"(?P<s>KGAT_[0-9a-f]{32})" + _E), ("kgat_",), "KGAT_"),
    Rule("kaggle-api-key", "Kaggle API key",
         _near("kaggle_key", r"[0-9a-f]{32}"),
         ("kaggle_key",)),
    Rule("kaggle-api-key", "Kaggle API key",
         _r(r"\"key\"\s*:\s*\"(?P<s>[0-9a-f]{32})\""), ('"key"',), filename="kaggle.json"),
    Rule("comet-api-key", "Comet API key",
         _near("comet", r"[A-Za-z0-9]{25}"), ("comet",)),
    Rule("neptune-api-token", "Neptune API token",
         _r(_B + r"(?P<s>eyJhcGlfYWRkcmVzcyI6[A-Za-z0-9+/=_-]{20,2000})"),
         ("eyjhcglfywrkcmvzcyi6",), "eyJhcGlfYWRkcmVzcyI6"),
    Rule("google-api-key", "Google API key",
         _r(_B + r"(?P<s>AIza[0-9A-Za-z_-]{35})" + _E), ("aiza",), "AIza"),
    Rule("gcp-service-account-key", "GCP service-account private key",
         _r(r"\"private_key\"\s*:\s*\"(?P<s>-----BEGIN (?:RSA )?PRIVATE KEY-----[^\"]{40,})\""),
         ("private_key",)),
    Rule("databricks-token", "Databricks personal access token",
         _r(_B + r"(?P<s>dapi[0-9a-f]{32}(?:-\d)?)" + _E), ("dapi",), "dapi"),
    Rule("groq-api-key", "Groq API key",
         _r(_B + r"(?P<s>gsk_[A-Za-z0-9]{52})" + _E), ("gsk_",), "gsk_"),
    Rule("perplexity-api-key", "Perplexity API key",
         _r(_B + r"(?P<s>pplx-[A-Za-z0-9]{48})" + _E), ("pplx-",), "pplx-"),
    Rule("langsmith-api-key", "LangSmith API key",
         _r(_B + r"(?P<s>lsv2_(?:pt|sk)_[0-9a-f]{32}_[0-9a-f]{10})" + _E), ("lsv2_",), "lsv2_"),
    Rule("pinecone-api-key", "Pinecone API key",
         _r(_B + r"(?P<s>pcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{63})" + _E), ("pcsk_",), "pcsk_"),
    Rule("xai-api-key", "xAI API key",
         _r(_B + r"(?P<s>xai-[A-Za-z0-9_]{80})" + _E), ("xai-",), "xai-"),
    Rule("azure-ad-client-secret", "Azure AD client secret",
         _r(_B + r"(?P<s>[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])"),
         ("q~",)),
    Rule("github-token", "GitHub token",
         _r(_B + r"(?P<s>gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})" + _E),
         ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
    Rule("private-key", "Private key",
         _r(r"(?P<s>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"|PuTTY-User-Key-File-[23]: .{0,200})"),
         ("private key", "putty-user-key-file")),
)

# Names whose assigned value is a secret, for the generic keyword-anchored rule. A name must
# end in one of these (after its separators are dropped), so `tokenizer` or `max_tokens` is
# not a secret name but `HF_TOKEN`, `mistral_api_key` and `client_secret` are.
_SECRET_NAME_ENDS = ("apikey", "apitoken", "secret", "secretkey", "token", "accesstoken",
                     "authtoken", "accesskey", "privatekey", "password", "passwd", "pwd",
                     "credential", "credentials", "clientsecret", "bearer", "authorization")
SERVICES = ("mistral", "together", "fireworks", "modal", "runpod", "mlflow", "clearml",
            "dagshub", "azure", "openai", "anthropic", "huggingface", "hf", "cohere", "comet",
            "neptune", "wandb", "replicate", "groq", "perplexity", "pinecone", "deepseek",
            "voyage", "jina", "anyscale", "octoai", "lambda", "vast", "paperspace", "roboflow",
            "labelbox", "scale", "assemblyai", "deepgram", "elevenlabs", "stability", "gemini",
            "vertex", "bedrock", "sagemaker", "qdrant", "weaviate", "zilliz", "langfuse",
            "helicone", "portkey", "unstructured", "llamaparse", "llama_cloud", "tavily",
            "serpapi", "exa", "firecrawl", "nvidia", "ngc", "openrouter", "xai")
_GENERIC_KEYWORDS = ("key", "token", "secret", "passw", "pwd", "credential", "auth", "bearer")
_GENERIC = _r(r"(?i)(?P<kw>api[_-]?key|apikey|secret|token|passw(?:or)?d|pwd|credentials?"
              r"|access[_-]?key|private[_-]?key|authorization|bearer|(?<=[_.-])key)"
              r"(?P<rest>[\w.-]{0,30}?)(?:\\?[\"'`\]]){0,3}\s*(?:=|:=|=>|:|,|\s)\s*"
              r"(?:[bruf]?\\?[\"'`])?(?:(?i:bearer|token|basic)\s+)?"
              r"(?P<s>[A-Za-z0-9_\-+/=.~]{16,256})(?![A-Za-z0-9_\-+/=.~])")
_GENERIC_WIDTH = min_width([_GENERIC])
_PLACEHOLDER_WORDS = ("xxxx", "your", "example", "placeholder", "redacted", "dummy", "changeme",
                      "change_me", "replace", "insert", "fake", "sample", "here", "secret",
                      "token", "password", "apikey", "api_key", "todo", "none", "null",
                      "undefined", "****", "....", "<", ">", "{", "}", "${", "%(", "$(", "0000",
                      "1234", "abcd", "test")
_NOT_VALUE_NAME = ("tokenizer", "tokens", "token_type", "token_id", "tokenid", "num_token",
                   "max_token", "token_len", "tokenlen", "keyword", "keys", "key_path",
                   "keypath", "key_file", "keyfile", "key_name", "keyname", "key_id",
                   "secret_name", "secretname", "secret_ref", "password_file", "token_file",
                   "tokenfile", "token_path", "secret_path", "auth_type", "authtype", "author")

_NOT_VALUE_NAME_RE = re.compile("|".join(re.escape(n.replace("_", "")) for n in _NOT_VALUE_NAME))

# detect-secrets plugins run as confirmers. Each needs one of its lowercase anchors on a line,
# or, for plugins without a literal part, a match of its shape (its own pattern) in the text.
_DS_PLUGINS: dict[str, tuple[str, tuple[str, ...]]] = {
    "AWSKeyDetector": ("aws-access-key", ("akia", "asia", "abia", "acca", "a3t", "aws")),
    "SlackDetector": ("slack-token", ("xox", "hooks.slack.com")),
    "StripeDetector": ("stripe-key", ("k_live_",)),
    "PypiTokenDetector": ("pypi-token", ("pypi-ag",)),
    "JwtTokenDetector": ("jwt", ("eyj",)),
    "BasicAuthDetector": ("url-credentials", ("://",)),
    "SendGridDetector": ("sendgrid-api-key", ("sg.",)),
    "NpmDetector": ("npm-token", ("_authtoken",)),
    "GitLabTokenDetector": ("gitlab-token", ("glpat-", "gldt-", "glft-", "glsoat-", "glrt-",
                                             "gr1348941", "glcbt-", "glimt-", "glptt-",
                                             "glagent-", "gloas-")),
    "MailchimpDetector": ("mailchimp-api-key", ("-us",)),
    "AzureStorageKeyDetector": ("azure-storage-key", ("accountkey=",)),
    "SquareOAuthDetector": ("square-oauth-secret", ("sq0csp-",)),
    "CloudantDetector": ("cloudant-credentials", ("cloudant",)),
    "IbmCloudIamDetector": ("ibm-cloud-iam-key", ("key", "pwd", "pass", "token")),
    "IbmCosHmacDetector": ("ibm-cos-hmac-secret", ("secret",)),
    "SoftlayerDetector": ("softlayer-api-key", ("key", "pwd", "pass", "token",
                                                "api.softlayer.com")),
    "TwilioKeyDetector": ("twilio-api-key", ()),
    "ArtifactoryDetector": ("artifactory-credentials", ()),
    "DiscordBotTokenDetector": ("discord-bot-token", ()),
    "TelegramBotTokenDetector": ("telegram-bot-token", ()),
}
_DS_SHAPES = {
    "TwilioKeyDetector": _r(r"(?:AC|SK)[a-z0-9]{32}"),
    "ArtifactoryDetector": _r(r"AKC[a-zA-Z0-9]{10}|AP[0-9A-F][a-zA-Z0-9]{8}"),
    "DiscordBotTokenDetector": _r(r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"),
    "TelegramBotTokenDetector": _r(r"\d{8}:[0-9A-Za-z_-]{35}"),
}
# The shortest text each plugin's patterns can match (min_width of its denylist; a test checks
# these against the installed plugins), so that a short line never imports detect-secrets.
_DS_MIN_WIDTH = {
    "AWSKeyDetector": 20, "SlackDetector": 8, "StripeDetector": 32, "PypiTokenDetector": 90,
    "JwtTokenDetector": 6, "BasicAuthDetector": 7, "SendGridDetector": 69, "NpmDetector": 21,
    "GitLabTokenDetector": 25, "MailchimpDetector": 36, "AzureStorageKeyDetector": 99,
    "SquareOAuthDetector": 50, "CloudantDetector": 29, "IbmCloudIamDetector": 48,
    "IbmCosHmacDetector": 58, "SoftlayerDetector": 70, "TwilioKeyDetector": 34,
    "ArtifactoryDetector": 11, "DiscordBotTokenDetector": 59, "TelegramBotTokenDetector": 44,
}
# The keyword-anchored IBM/SoftLayer/Cloudant plugins share the anchors `key` and `token` with
# half the lines of ML code; each needs a run of its secret's characters, checked first.
_DS_REQUIRES = {
    "IbmCloudIamDetector": _r(r"[a-zA-Z0-9_\-]{44}"),
    "IbmCosHmacDetector": _r(r"(?i)[a-f0-9]{32}"),
    "SoftlayerDetector": _r(r"(?i)[a-z0-9]{64}"),
    "CloudantDetector": _r(r"(?i)[a-z]{24}|[0-9a-f]{64}"),
}
_DS_MESSAGES = {
    "aws-access-key": "AWS access key", "slack-token": "Slack token",
    "stripe-key": "Stripe live key", "pypi-token": "PyPI upload token",
    "jwt": "JSON Web Token", "url-credentials": "Credentials embedded in a URL",
    "sendgrid-api-key": "SendGrid API key", "npm-token": "npm token",
    "gitlab-token": "GitLab token", "twilio-api-key": "Twilio API key",
    "mailchimp-api-key": "Mailchimp API key",
    "artifactory-credentials": "Artifactory credentials",
    "azure-storage-key": "Azure Storage account key",
    "square-oauth-secret": "Square OAuth secret", "discord-bot-token": "Discord bot token",
    "telegram-bot-token": "Telegram bot token", "cloudant-credentials": "Cloudant credentials",
    "ibm-cloud-iam-key": "IBM Cloud IAM key", "ibm-cos-hmac-secret": "IBM COS HMAC secret",
    "softlayer-api-key": "SoftLayer API key", "high-entropy-base64": "High-entropy string",
    "high-entropy-hex": "High-entropy hex string",
}
_DS_PREFIXES = {"stripe-key": "", "pypi-token": "pypi-", "jwt": "eyJ", "npm-token": "",
                "sendgrid-api-key": "SG.", "gitlab-token": "gl"}
GENERIC_RULE = "generic-api-key"

# Values that documentation uses on purpose (AWS's published example keys).
_DOC_VALUES = re.compile(r"EXAMPLE|^AKIAIOSFODNN7|wJalrXUtnFEMI/K7MDENG")
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_BASE64_CHARS = re.compile(r"[A-Za-z0-9+/]")
_NOTEBOOK_IMAGE = re.compile(r'^\s*"(?:image/[\w.+-]+|application/pdf)"\s*:\s*"')
_BASE64_LINE = re.compile(r'^\s*"?[A-Za-z0-9+/]{200,}={0,2}(?:\\n)?"?,?\s*$')


@dataclass(frozen=True)
class Hit:
    rule: str
    message: str
    value: str
    line: int
    column: int
    prefix: str


def shannon_entropy(value: str) -> float:
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_placeholder(value: str) -> bool:
    """Placeholders, templates and repeated characters are not secrets."""
    low = value.lower()
    if any(w in low for w in _PLACEHOLDER_WORDS):
        return True
    if re.search(r"(.)\1{4,}", value):  # xxxxx, 00000, -----
        return True
    return len(set(value)) < min(10, len(value) // 2)


def _generic_ok(value: str, name: str, services: Sequence[str] = SERVICES) -> bool:
    """The keyword rule's guard: a plausible, random-looking value under a secret's name."""
    flat = re.sub(r"[^a-z0-9]", "", name.lower())
    if _NOT_VALUE_NAME_RE.search(flat):
        return False
    if not flat.endswith(_SECRET_NAME_ENDS) and not flat.endswith("key"):
        return False
    # a bare `..._key` needs a service or a secret word in the name: `mistral_key`
    if flat.endswith("key") and not flat.endswith(_SECRET_NAME_ENDS) and not any(
            s in flat for s in (*services, "api", "secret", "auth", "access", "private",
                                "client", "signing", "encryption")):
        return False
    if looks_placeholder(value) or value.startswith(("/", ".", "-", "~")):
        return False
    if value.count(".") > 2 or "/" in value[:-2] and not re.search(r"[+=]", value):
        return False  # dotted names, versions, paths: model ids and files are not secrets
    if not (re.search(r"[0-9]", value) and re.search(r"[A-Za-z]", value)):
        return False
    if len(value) < 20 and not (re.search(r"[a-z]", value) and re.search(r"[A-Z]", value)):
        return False
    return shannon_entropy(value) >= 3.3


@lru_cache(maxsize=1)
def _ds() -> Any:
    """detect-secrets' plugins and filters, imported only when a candidate line needs them."""
    import detect_secrets.filters.heuristic as heuristic
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    classes: Iterable[Any] = get_mapping_from_secret_type_to_class().values()
    return {cls.__name__: cls() for cls in classes}, heuristic


class Scanner:
    """One scanner per run: compiled rule set from the policy."""

    def __init__(self, policy: Policy) -> None:
        cfg = policy.section("secrets")
        self.max_bytes: int = cfg["max-bytes"]
        self.entropy: bool = cfg["entropy"]
        self.disabled = {r.removeprefix("secrets/") for r in cfg["disable"]}
        self.rules = [r for r in RULES if r.name not in self.disabled]
        self.ds_plugins = {cls: meta for cls, meta in _DS_PLUGINS.items()
                           if meta[0] not in self.disabled}
        self.allowlist = [re.compile(p) for p in cfg["allowlist"]]
        extra = tuple(k.lower() for k in cfg["generic-keywords"])
        self.services = SERVICES + extra
        self.generic = GENERIC_RULE not in self.disabled
        # Each confirmer (a rule's index, a detect-secrets plugin's class name, or "generic")
        # with the anchors it needs; a line is confirmed only by the confirmers whose anchor
        # it holds, or whose shape matched it.
        needs: dict[str | int, tuple[str, ...]] = {i: r.anchors for i, r in enumerate(self.rules)}
        needs.update({cls: a for cls, (_, a) in self.ds_plugins.items() if a})
        if self.generic:
            needs["generic"] = (*_GENERIC_KEYWORDS, *extra)
        self.all_targets: frozenset[str | int] = frozenset(
            [*needs, *(cls for cls in self.ds_plugins if cls in _DS_SHAPES)])
        anchors = {a for a_s in needs.values() for a in a_s}
        self.by_anchor: dict[str, set[str | int]] = {a: set() for a in anchors}
        for target, a_s in needs.items():
            for a in a_s:
                self.by_anchor[a].add(target)
        # Only the anchors that hold no other are searched for ("sk-" finds "sk-ant-" lines);
        # a line holding one is confirmed by every confirmer of every anchor around it.
        self.anchors = sorted(a for a in anchors if not any(b != a and b in a for b in anchors))
        self.targets_of = {a: frozenset(t for b in anchors if a in b for t in self.by_anchor[b])
                           for a in self.anchors}
        # One Aho-Corasick pass finds every anchor occurrence (character offsets) in a file.
        self.matcher = ahocorasick_rs.AhoCorasick(self.anchors)
        self.widths = [min_width([r.pattern]) for r in self.rules]
        self.shapes = [(cls, _DS_SHAPES[cls]) for cls in self.ds_plugins if cls in _DS_SHAPES]
        self.ds_baseline = _load_ds_baseline(policy)

    # -- prefilter ---------------------------------------------------------------
    def candidate_lines(self, text: str, all_lines: bool
                        ) -> list[tuple[int, str, frozenset[str | int]]]:
        """(line number, line, confirmers to run) of every line that holds an anchor."""
        lines = text.split("\n")
        if all_lines:
            return [(n, line, self.all_targets) for n, line in enumerate(lines, 1)]
        low = text.lower()
        if len(low) != len(text):  # rare characters change length when lowered
            low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
        offsets = [0, *itertools.accumulate(len(line) + 1 for line in lines)]
        found: dict[int, set[str]] = {}  # line index -> anchors (or shaped plugins) on it
        anchors = self.anchors
        for index, start, _ in self.matcher.find_matches_as_indexes(low, overlapping=True):
            found.setdefault(bisect.bisect_right(offsets, start) - 1, set()).add(anchors[index])
        for cls, shape in self.shapes:
            for m in shape.finditer(text):
                found.setdefault(bisect.bisect_right(offsets, m.start()) - 1, set()).add(cls)
        return [(i + 1, lines[i], self._targets(frozenset(found[i]))) for i in sorted(found)]

    @lru_cache(maxsize=4096)  # noqa: B019 - one scanner per run; few distinct anchor sets
    def _targets(self, anchors: frozenset[str]) -> frozenset[str | int]:
        out: set[str | int] = set()
        for a in anchors:
            out |= self.targets_of.get(a, {a})
        return frozenset(out)

    # -- confirmers --------------------------------------------------------------
    def confirm(self, line: str, lineno: int, filename: str = "",
                targets: frozenset[str | int] | None = None) -> list[Hit]:
        """Run the confirmers named by `targets` (all of them when None) on one line."""
        targets = self.all_targets if targets is None else targets
        n = len(line)
        chosen_rules, chosen_ds = self._chosen(targets)
        rules = [r for width, r in chosen_rules
                 if width <= n and (not r.filename or r.filename == filename)]
        ds = [cls for width, cls in chosen_ds if width <= n and self._ds_applies(cls, line)]
        hits: list[Hit] = []
        for offset, chunk in _windows(line):
            for r in rules:
                for m in r.pattern.finditer(chunk):
                    value = m.group("s")
                    if r.prefix == "" and r.name not in ("private-key", "azure-ad-client-secret") \
                            and not (re.search(r"[0-9]", value) and re.search(r"[A-Za-z]", value)):
                        continue  # a value found by its service's name must look random
                    if r.name not in ("private-key", "gcp-service-account-key") and \
                            looks_placeholder_token(value, r.prefix):
                        continue
                    hits.append(Hit(r.rule, r.message, value, lineno,
                                    offset + m.start("s") + 1, r.prefix))
            if "generic" in targets and n >= _GENERIC_WIDTH:
                for m in _GENERIC.finditer(chunk):
                    name = _name_before(chunk, m.start("kw")) + m.group("kw") + m.group("rest")
                    value = m.group("s")
                    if _generic_ok(value, name, self.services):
                        hits.append(Hit(f"{CHECK}/{GENERIC_RULE}",
                                        "Secret assigned to a credential name", value, lineno,
                                        offset + m.start("s") + 1, ""))
            if ds or self.entropy:
                hits.extend(self._ds_confirm(chunk, lineno, offset, ds))
        return hits

    @lru_cache(maxsize=4096)  # noqa: B019 - one scanner per run; few distinct target sets
    def _chosen(self, targets: frozenset[str | int]
                ) -> tuple[list[tuple[int, Rule]], list[tuple[int, str]]]:
        """The rules and plugins named by `targets`, in table order, with their min widths."""
        return ([(self.widths[i], r) for i, r in enumerate(self.rules) if i in targets],
                [(_DS_MIN_WIDTH[cls], cls) for cls in self.ds_plugins if cls in targets])

    def _ds_applies(self, cls: str, line: str) -> bool:
        """Whether the line holds one of the plugin's own anchors (a line reached through a
        longer anchor holding this one may not) and the run of characters it needs."""
        anchors = self.ds_plugins[cls][1]
        if anchors:
            low = line.lower()
            if not any(a in low for a in anchors):
                return False
        required = _DS_REQUIRES.get(cls)
        return required is None or required.search(line) is not None

    def _ds_confirm(self, chunk: str, lineno: int, offset: int,
                    wanted: list[str]) -> list[Hit]:
        if self.entropy:
            wanted = [*wanted, "HexHighEntropyString", "Base64HighEntropyString"]  # hex first
        if not wanted:
            return []
        plugins, heuristic = _ds()
        hits = []
        for cls in wanted:
            plugin = plugins[cls]
            name = self.ds_plugins[cls][0] if cls in self.ds_plugins else (
                "high-entropy-base64" if cls.startswith("Base64") else "high-entropy-hex")
            for value in plugin.analyze_string(chunk):
                if (heuristic.is_sequential_string(value) or heuristic.is_potential_uuid(value)
                        or heuristic.is_templated_secret(value)
                        or heuristic.is_likely_id_string(value, chunk, plugin)
                        or (name != "url-credentials"
                            and heuristic.is_not_alphanumeric_string(value))
                        or _DOC_VALUES.search(value)):
                    continue
                if name in ("url-credentials",) and (looks_placeholder(value)
                                                     or value.startswith("$")):
                    continue
                col = chunk.find(value)
                hits.append(Hit(f"{CHECK}/{name}", _DS_MESSAGES[name], value, lineno,
                                offset + col + 1, _DS_PREFIXES.get(name, "")))
        return hits

    # -- a file ---------------------------------------------------------------
    def scan_text(self, text: str, path: str) -> list[Hit]:
        notebook = path.lower().endswith(".ipynb")
        filename = Path(path).name
        all_lines = self.entropy or filename == "kaggle.json"
        hits: list[Hit] = []
        for lineno, line, targets in self.candidate_lines(text, all_lines):
            if notebook and (_NOTEBOOK_IMAGE.match(line) or _BASE64_LINE.match(line)):
                continue  # base64 images in notebook outputs are not secrets
            hits.extend(self.confirm(line, lineno, filename, targets))
        if any(h.rule.endswith("/private-key") for h in hits) or "PRIVATE KEY-----" in text:
            hits = [h for h in hits if not h.rule.endswith("/private-key")]
            hits.extend(self._private_keys(text))
        return _dedupe(h for h in hits if not self._allowlisted(h.value))

    def _private_keys(self, text: str) -> list[Hit]:
        """PEM blocks span lines: each is matched on the whole text and hashed whole (header
        to footer), so two keys never share a fingerprint. A block whose body is too short
        to be a key (`...` in documentation) is not reported."""
        rule = next((r for r in self.rules if r.name == "private-key"), None)
        if rule is None:
            return []
        hits = []
        for m in rule.pattern.finditer(text):
            start = m.start("s")
            end_marker = _PEM_END.search(text, m.end(), m.end() + 16_000)
            end = end_marker.end() if end_marker else min(len(text), m.end() + 4000)
            value = text[start:end]
            if m.group("s").startswith("-----") and \
                    len(_BASE64_CHARS.findall(value[m.end() - start:])) < 64:
                continue
            lineno = text.count("\n", 0, start) + 1
            column = start - (text.rfind("\n", 0, start) + 1) + 1
            hits.append(Hit(rule.rule, rule.message, value, lineno, column, ""))
        return hits

    def _allowlisted(self, value: str) -> bool:
        return any(p.fullmatch(value) for p in self.allowlist)

    def ds_baselined(self, path: str, hit: Hit) -> bool:
        entries = self.ds_baseline.get(path)
        if not entries:
            return False
        digest = hashlib.sha1(hit.value.encode("utf-8")).hexdigest()
        for e in entries:
            if e.get("hashed_secret") == digest:
                return True
            # detect-secrets hashes only a constant header of GitHub tokens and private
            # keys (every one hashes alike): honour those entries on their own line only.
            if e.get("type") in ("GitHub Token", "Private Key") and \
                    e.get("line_number") == hit.line and \
                    hit.rule in ("secrets/github-token", "secrets/private-key",
                                 "secrets/gcp-service-account-key"):
                return True
        return False


_PUBLIC_PREFIX = re.compile(
    r"^(?:github_pat_|gh[pousr]_|sk-(?:proj|svcacct|admin|ant-api03|ant-admin01|or-v1)-"
    r"|sk_live_|rk_live_|xox[a-z]-|A3T|AKIA|ASIA|ABIA|ACCA|pypi-|gl[a-z]{2,6}-|local-)")


def public_prefix(value: str, rule_prefix: str) -> str:
    """The part of a credential that its format makes public (`ghp_`, `sk-proj-`)."""
    m = _PUBLIC_PREFIX.match(value)
    return m.group(0) if m and len(m.group(0)) > len(rule_prefix) else rule_prefix


def looks_placeholder_token(value: str, prefix: str) -> bool:
    """`hf_xxxxxxxx…`, `sk-…YOUR_KEY…`: a provider prefix followed by filler."""
    body = value[len(prefix):] if prefix and value.startswith(prefix) else value
    low = body.lower()
    if any(w in low for w in ("xxxx", "your", "example", "placeholder", "redacted",
                              "dummy", "insert", "replace")):
        return True
    return bool(re.search(r"(.)\1{5,}", body)) or len(set(body)) < min(8, len(body) // 2)


def _name_before(chunk: str, end: int) -> str:
    start = end
    while start > 0 and end - start < 40 and (chunk[start - 1].isalnum()
                                              or chunk[start - 1] in "_.-"):
        start -= 1
    return chunk[start:end]


def _windows(line: str) -> Iterator[tuple[int, str]]:
    if len(line) <= WINDOW:
        yield 0, line
        return
    for start in range(0, len(line), WINDOW - OVERLAP):
        yield start, line[start:start + WINDOW]


def _dedupe(hits: Iterable[Hit]) -> list[Hit]:
    """One hit per value and place: the most specific rule wins over overlapping ones."""
    order = {f"{CHECK}/{r.name}": i for i, r in enumerate(RULES)}
    order[f"{CHECK}/{GENERIC_RULE}"] = 1_000_001  # the generic rule yields to any other
    ranked = sorted(hits, key=lambda h: (h.line, order.get(h.rule, 1_000_000), h.column))
    kept: list[Hit] = []
    taken: dict[int, list[tuple[int, int]]] = {}
    for h in ranked:
        span = (h.column, h.column + len(h.value))
        spans = taken.setdefault(h.line, [])
        if any(a < span[1] and span[0] < b for a, b in spans):
            continue
        spans.append(span)
        kept.append(h)
    return sorted(kept, key=lambda h: (h.line, h.column))


def _load_ds_baseline(policy: Policy) -> dict[str, list[dict[str, Any]]]:
    name = policy.section("secrets")["detect-secrets-baseline"]
    if not name:
        return {}
    path = policy.resolve(name)
    if not path.is_file():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        results = doc["results"]
        if not isinstance(results, dict):
            raise TypeError("results is not an object")
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise MlgateError(f"{path}: not a valid detect-secrets baseline ({e})") from None
    return {str(k).replace("\\", "/"): v for k, v in results.items() if isinstance(v, list)}
