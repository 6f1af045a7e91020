"""Our own rules: ML-provider credential formats and the generic keyword-anchored rule.

To add a provider: one `Rule` in `RULES` (a pattern whose group `s` is the secret, the
lowercase anchors one of which must be on a line for the rule to run, the public prefix shown in
excerpts), a generator in `mlgate/fakes.py`, and a line in docs/hooks/detect-ml-secrets.md.
The detect-secrets plugins we run are tabled in `ds_plugins.py`; what is filler rather than a
secret is decided in `placeholders.py`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mlgate.hooks.secrets.placeholders import looks_placeholder, shannon_entropy

CHECK = "secrets"
GENERIC_RULE = "generic-api-key"


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
    # detect-secrets finds a secret key only in quotes and without `/`: this finds the
    # `~/.aws/credentials` INI, `.env`, YAML and JSON forms too (same rule id as its plugin).
    Rule("aws-access-key", "AWS secret access key",
         _r(r"(?i:(?:aws_?)?secret_?access_?key)(?:\\?[\"'\]]){0,2}\s*(?:=|:)\s*"
            r"(?:\\?[\"'])?(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=_-])"),
         ("secret_access_key", "secretaccesskey")),
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
GENERIC_KEYWORDS = ("key", "token", "secret", "passw", "pwd", "credential", "auth", "bearer")
GENERIC = _r(r"(?i)(?P<kw>api[_-]?key|apikey|secret|token|passw(?:or)?d|pwd|credentials?"
             r"|access[_-]?key|private[_-]?key|authorization|bearer|(?<=[_.-])key)"
             r"(?P<rest>[\w.-]{0,30}?)(?:\\?[\"'`\]]){0,3}\s*(?:=|:=|=>|:|,|\s)\s*"
             r"(?:[bruf]?\\?[\"'`])?(?:(?i:bearer|token|basic)\s+)?"
             r"(?P<s>[A-Za-z0-9_\-+/=.~]{16,256})(?![A-Za-z0-9_\-+/=.~])")
_NOT_VALUE_NAME = ("tokenizer", "tokens", "token_type", "token_id", "tokenid", "num_token",
                   "max_token", "token_len", "tokenlen", "keyword", "keys", "key_path",
                   "keypath", "key_file", "keyfile", "key_name", "keyname", "key_id",
                   "secret_name", "secretname", "secret_ref", "password_file", "token_file",
                   "tokenfile", "token_path", "secret_path", "auth_type", "authtype", "author")

_NOT_VALUE_NAME_RE = re.compile("|".join(re.escape(n.replace("_", "")) for n in _NOT_VALUE_NAME))


def generic_ok(value: str, name: str, services: Sequence[str] = SERVICES) -> bool:
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


_PUBLIC_PREFIX = re.compile(
    r"^(?:github_pat_|gh[pousr]_|sk-(?:proj|svcacct|admin|ant-api03|ant-admin01|or-v1)-"
    r"|sk_live_|rk_live_|xox[a-z]-|A3T|AKIA|ASIA|ABIA|ACCA|pypi-|gl[a-z]{2,6}-|local-)")


def public_prefix(value: str, rule_prefix: str) -> str:
    """The part of a credential that its format makes public (`ghp_`, `sk-proj-`)."""
    m = _PUBLIC_PREFIX.match(value)
    return m.group(0) if m and len(m.group(0)) > len(rule_prefix) else rule_prefix
