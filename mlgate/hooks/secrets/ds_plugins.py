"""The detect-secrets 1.5.0 plugins run as confirmers, and what we know about each.

Each plugin needs one of its lowercase anchors on a line (or, for plugins without a literal
part, a match of its shape) before it runs; `MIN_WIDTH` lets a short line skip it without
importing detect-secrets. A plugin added here needs its rule id, message and anchors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any


def _r(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


# detect-secrets plugins run as confirmers. Each needs one of its lowercase anchors on a line,
# or, for plugins without a literal part, a match of its shape (its own pattern) in the text.
PLUGINS: dict[str, tuple[str, tuple[str, ...]]] = {
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
SHAPES = {
    "TwilioKeyDetector": _r(r"(?:AC|SK)[a-z0-9]{32}"),
    "ArtifactoryDetector": _r(r"AKC[a-zA-Z0-9]{10}|AP[0-9A-F][a-zA-Z0-9]{8}"),
    "DiscordBotTokenDetector": _r(r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"),
    "TelegramBotTokenDetector": _r(r"\d{8}:[0-9A-Za-z_-]{35}"),
}
# The shortest text each plugin's patterns can match (min_width of its denylist; a test checks
# these against the installed plugins), so that a short line never imports detect-secrets.
MIN_WIDTH = {
    "AWSKeyDetector": 20, "SlackDetector": 8, "StripeDetector": 32, "PypiTokenDetector": 90,
    "JwtTokenDetector": 6, "BasicAuthDetector": 7, "SendGridDetector": 69, "NpmDetector": 21,
    "GitLabTokenDetector": 25, "MailchimpDetector": 36, "AzureStorageKeyDetector": 99,
    "SquareOAuthDetector": 50, "CloudantDetector": 29, "IbmCloudIamDetector": 48,
    "IbmCosHmacDetector": 58, "SoftlayerDetector": 70, "TwilioKeyDetector": 34,
    "ArtifactoryDetector": 11, "DiscordBotTokenDetector": 59, "TelegramBotTokenDetector": 44,
}
# The keyword-anchored IBM/SoftLayer/Cloudant plugins share the anchors `key` and `token` with
# half the lines of ML code; each needs a run of its secret's characters, checked first.
REQUIRES = {
    "IbmCloudIamDetector": _r(r"[a-zA-Z0-9_\-]{44}"),
    "IbmCosHmacDetector": _r(r"(?i)[a-f0-9]{32}"),
    "SoftlayerDetector": _r(r"(?i)[a-z0-9]{64}"),
    "CloudantDetector": _r(r"(?i)[a-z]{24}|[0-9a-f]{64}"),
}
MESSAGES = {
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
PREFIXES = {"stripe-key": "", "pypi-token": "pypi-", "jwt": "eyJ", "npm-token": "",
                "sendgrid-api-key": "SG.", "gitlab-token": "gl"}

# Values that documentation uses on purpose (AWS's published example keys).
DOC_VALUES = re.compile(r"EXAMPLE|^AKIAIOSFODNN7|wJalrXUtnFEMI/K7MDENG")


@lru_cache(maxsize=1)
def load() -> Any:
    """detect-secrets' plugins and filters, imported only when a candidate line needs them."""
    import detect_secrets.filters.heuristic as heuristic
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    classes: Iterable[Any] = get_mapping_from_secret_type_to_class().values()
    return {cls.__name__: cls() for cls in classes}, heuristic
