"""mlgate's precision rules: named checks that act after confirmation, on top of Presidio.

Presidio's recognizers (and mlgate's own, which give the same results) confirm a value by its
pattern, checksum or a phonenumbers parse. On ML data that is not enough for a blocking finding:
version strings, amounts, dates, ISBNs, counters and ids parse as phone numbers somewhere, code
slices as IPv6, SSN-shaped references with unissuable areas as SSNs. Each rule below looks at one
confirmed match (and the other matches of the same text) and says whether it is something else.
The rules never add a finding and never run where the recognizers found nothing, so the
prefilter's promise (it loses nothing Presidio's recognizers report) is untouched; with every
rule switched off (`[pii] precision-off`) mlgate reports what Presidio reports, less the default
allowlist. Each rule is documented in docs/hooks/pii-in-data-samples.md ("Precision rules") and
tested on the positives that must still be found (tests/hooks/pii/test_precision.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from mlgate.hooks.pii.spans import PiiSpan

# --- names --------------------------------------------------------------------------------------

PHONE_SHAPE = "phone-shape"
PHONE_NOT_NUMBER = "phone-not-number"
KEY_NOT_PII = "key-not-pii"
IP_NOT_ADDRESS = "ip-not-address"
SSN_UNISSUABLE = "ssn-unissuable"
IN_OTHER = "in-other-entity"
EMAIL_PLACEHOLDER = "email-placeholder"

NAMES = (PHONE_SHAPE, PHONE_NOT_NUMBER, KEY_NOT_PII, IP_NOT_ADDRESS, SSN_UNISSUABLE,
         IN_OTHER, EMAIL_PLACEHOLDER)


# --- keys ---------------------------------------------------------------------------------------

def _words(key: str) -> list[str]:
    return [w.lower() for w in re.split(r"[^\w]+|_|(?<=[a-z])(?=[A-Z])", key) if w]


# a key (column) that says it holds phone numbers, in the languages data samples use
_PHONE_KEY_PREFIXES = ("phone", "telef", "teléf", "télép", "telep", "mobil", "móvil", "movil",
                       "handy", "cell", "fax", "contact", "kontakt", "whatsapp", "msisdn",
                       "portable", "rufnummer", "celular", "telf", "sms")
_PHONE_KEY_WORDS = frozenset({"tel", "tél", "ph", "mob", "gsm", "cellphone", "hp", "tlf"})
_PHONE_KEY_CJK = ("電話", "电话", "携帯", "手机", "手機", "전화", "Телефон", "телефон")


@functools.lru_cache(maxsize=4096)
def phone_key(key: str | None) -> bool:
    """A key or column name that says it holds phone numbers (`phone`, `Telefon`,
    `téléphone`, `telefono`, `電話`, `mobile`, `Handy`, `cell`, `fax`, `contact` …)."""
    if not key:
        return False
    if any(c in key for c in _PHONE_KEY_CJK):
        return True
    return any(w in _PHONE_KEY_WORDS or w.startswith(_PHONE_KEY_PREFIXES) for w in _words(key))


# a key that says what else it holds: numbers under it are not phone numbers or SSNs
_NOT_PII_KEY_PREFIXES = (
    "isbn", "issn", "ean", "gtin", "sku", "doi", "amount", "revenue", "price", "cost", "total",
    "umsatz", "montant", "fatturato", "importe", "betrag", "preis", "prix", "prezzo", "precio",
    "salary", "balance", "budget", "turnover", "sales", "chiffre", "ref", "réf", "riferiment",
    "referen", "référen", "order", "invoice", "rechnung", "factur", "fattur", "bestell",
    "commande", "ordine", "pedido", "zip", "postcode", "postal", "plz", "postleitzahl",
    "timestamp", "date", "datum", "fecha", "time", "created", "updated", "user_agent", "agent",
    "useragent", "version", "release", "build", "lat", "lon", "lng", "coord", "ticket",
    "tracking", "serial", "batch", "lot", "seed", "checksum", "hash", "epoch", "step", "flop",
    "param", "pid", "tid", "thread", "process", "letzt", "last", "dernier", "ultimo", "最終")
_NOT_PII_KEY_WORDS = frozenset({"id", "ids", "ua", "cap", "cp", "ver", "no_commande", "ts",
                                "rev", "uid", "uuid", "guid", "idx", "key", "nr_bestellung"})
# the entities whose values carry no strong checksum (a phonenumbers parse, the SSN's format)
_WEAK = frozenset({"PHONE_NUMBER", "US_SSN"})


@functools.lru_cache(maxsize=4096)
def not_pii_key(key: str | None) -> bool:
    """A key or column name that says its values are something other than contact or identity
    data (an ISBN, an amount, an order reference, a postcode, a date, a user agent, a version,
    an id …), and does not also name a phone or SSN."""
    if not key:
        return False
    words = _words(key)
    if phone_key(key) and not all(w.startswith(("contact", "kontakt")) or not
                                  w.startswith(_PHONE_KEY_PREFIXES) and w not in _PHONE_KEY_WORDS
                                  for w in words):
        return False  # a phone key; `contact`/`Kontakt` alone names a phone or a date
    if any(w in ("ssn", "social", "sozialversicherung", "nir", "ss") for w in words):
        return False
    return any(w in _NOT_PII_KEY_WORDS or w.startswith(_NOT_PII_KEY_PREFIXES) for w in words)


# --- phone numbers --------------------------------------------------------------------------

# words just before a number that say it is a phone number (Presidio's context words and their
# counterparts in the languages data samples use); searched in the 48 characters before it
_PHONE_CONTEXT = re.compile(
    r"(?i)(?:phone|\btel\b|\btel\.|telephone|mobile|\bmob\b|\bcell|\bfax|contact|\bcall|"
    r"\breach\b|\bring\b|\bdial|\btext\s+me|\bsms\b|whats\s?app|hotline|helpline|number|"
    r"\bno\.|\bnum\b|\bnr\.?|telefon|handy|rufnummer|anruf|erreichbar|t[ée]l[ée]phone|\bt[ée]l\b|"
    r"portable|appel|joindre|numéro|telefono|cellulare|chiam|numero|tel[ée]fono|m[óo]vil|llam|"
    r"celular|contato|電話|电话|携帯|手机|手機|番号|전화|телефон|звон)[^\d\n]{0,40}$")

_INTL_BEFORE = re.compile(r"(?:\+|\uff0b|\b00)(?:\d{1,3})?\s?$")

_DIGIT_RUN = re.compile(r"\d+")

_AREA_CODE = re.compile(r"\s*\(\d{2,5}\)[ \u00a0]?\d")  # `(029) 2018387`, `(212) 456-7890`


def _main_part(value: str) -> str:
    return re.split(r"(?i)\s*(?:x|ext\.?|extension|#|;)\s*\d", value, maxsplit=1)[0]


@functools.lru_cache(maxsize=8192)
def _plan_says_phone(value: str, regions: tuple[str, ...]) -> bool:
    """python-phonenumbers' metadata: the value's digit groups are the groups of its national
    or international format in a region where it is a valid number, or it starts with the
    region's national (trunk) prefix (`0…`)."""
    import phonenumbers
    from phonenumbers import PhoneNumberFormat

    main = _main_part(value).strip()
    raw = _DIGIT_RUN.findall(main)
    if not raw:
        return False
    digits = "".join(raw)
    for region in regions:
        try:
            pn = phonenumbers.parse(main, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_possible_number(pn):
            continue
        if len(raw) > 1:  # the grouping of the region's format rule for its leading digits
            nat = _DIGIT_RUN.findall(phonenumbers.format_number(pn, PhoneNumberFormat.NATIONAL))
            if nat == raw:
                return True
            intl = _DIGIT_RUN.findall(
                phonenumbers.format_number(pn, PhoneNumberFormat.INTERNATIONAL))
            if intl == raw or intl[1:] == raw:
                return True
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        trunk = meta.national_prefix if meta is not None else None
        if len(raw) == 1 and trunk and trunk != "1" and digits.startswith(trunk) and \
                phonenumbers.is_valid_number(pn) and \
                phonenumbers.format_number(pn, PhoneNumberFormat.NATIONAL).lstrip("(").startswith(
                    trunk):
            return True
    return False


_NOT_PHONE_NOUN = re.compile(
    r"(?i)\b(?:tracking|order|invoice|account|card|serial|reference|ref|ticket|model|version|"
    r"part|build|issue|case|item|product|batch|lot|policy|customer|system|id)\s+(?:number|no\.?|"
    r"num|nr\.?|id|#)?\s*(?:is|was|:)?\s*$")


def phone_evidence(text: str, start: int, end: int, key: str | None,
                   regions: tuple[str, ...]) -> bool:
    """`phone-shape`: what makes a person read a number as a phone number: a `+`/`00`
    international prefix, a phone key or context words just before it, or a grouping (or
    trunk prefix) that the numbering plan of a region where it is valid uses."""
    value = text[start:end]
    if value.lstrip()[:1] in ("+", "\uff0b") or value.lstrip().startswith("00"):
        return True
    if _INTL_BEFORE.search(text, max(0, start - 6), start) or _AREA_CODE.match(value):
        return True
    if phone_key(key):
        return True
    if _PHONE_CONTEXT.search(text, max(0, start - 48), start) and \
            not _NOT_PHONE_NOUN.search(text, max(0, start - 48), start):
        return True
    return _plan_says_phone(value, regions)


_THOUSANDS = re.compile(r"\d{1,3}(?:(?P<sep>[.,'\u00a0\u202f ])\d{3})(?:(?P=sep)\d{3})*")
_DECIMAL_AFTER = re.compile(r"[.,]\d{1,2}(?!\d)")
_CURRENCY = re.compile(r"[€$£¥₹₽₩]|\b(?:EUR|USD|GBP|CHF|JPY|INR|Fr|kr|zł|Kč)\b")
_DATE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-](?:1[89]|20)?\d\d"
                   r"|(?:0?[1-9]|1[0-2])[./-](?:0?[1-9]|[12]\d|3[01])[./-](?:1[89]|20)\d\d"
                   r"|(?:1[89]|20)\d\d[./-](?:0?[1-9]|1[0-2])[./-](?:0?[1-9]|[12]\d|3[01])")
_NAME_BEFORE = re.compile(r"(?:[A-Za-z_][\w.]*[-/_=@v]|==|>=|<=|~=|!=|\bv)\s?$")
_VERSION_TAIL = re.compile(r"\.\d|[-+][0-9A-Za-z]|\.?(?:dev|post|rc|a|b)\d")
_OPERATOR_BEFORE = re.compile(r"(?:\d|\))\s*[-+*/×x÷=^%<>]\s*$|[*×÷/]\s*$")
_OPERATOR_AFTER = re.compile(r"\s*(?:[-+*/×÷=^%]|x\s)\s*[\d(]|\s*=")
_GROUP_BEFORE = re.compile(r"(?:\d|[A-Z]{2}\d\d)[ .\-/]$|[A-Za-z0-9_]$")
_GROUP_AFTER = re.compile(r"[ .\-/,]\d|[A-Za-z0-9_]|/")
_TOKEN_EDGE = re.compile(r"\S+")


def _isbn_ok(digits: str) -> bool:
    if len(digits) == 13 and digits[:3] in ("978", "979"):
        return sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10 == 0
    return False  # ISBN-10's mod-11 check passes one phone number in eleven: only after `ISBN`


def _token(text: str, start: int, end: int) -> str:
    """The whitespace-free run of text holding [start, end)."""
    a, b = start, end
    while a > 0 and not text[a - 1].isspace():
        a -= 1
    while b < len(text) and not text[b].isspace():
        b += 1
    return text[a:b]


_PATHISH = re.compile(r"://|[\w-]/[\w-]|\\\w|[A-Za-z]\.[A-Za-z]{2,5}$|^[\w.-]*[A-Za-z]_|"
                      r"[A-Za-z]{2,}[._][\w.]*\d|\d[\w.]*[._][A-Za-z]{2,}")


def phone_other_number(text: str, start: int, end: int) -> str | None:
    """`phone-not-number`: what the number is instead, or None: an amount (thousands groups
    with decimals or a currency), a date, an ISBN with a valid checksum, a version, a counter
    `a/b`, a part of an id, URL, path or file name, arithmetic, or a part of a longer group of
    digits (what a card/IBAN/SSN validator rejected)."""
    value = text[start:end]
    main = value.strip().strip("()[]")
    digits = "".join(_DIGIT_RUN.findall(value))
    before = text[max(0, start - 24):start]
    after = text[end:end + 24]
    if _THOUSANDS.fullmatch(main) and (_DECIMAL_AFTER.match(after) or _CURRENCY.search(
            text[max(0, start - 5):end + 6]) or main.count(main[-4]) >= 2):
        return "amount"
    if _DATE.fullmatch(main):
        return "date"
    if digits in "01234567890123456789" or digits in "98765432109876543210" or \
            len(set(digits)) == 1:
        return "digit sequence"  # `0123456789`: an alphabet or a placeholder
    if re.search(r"\d\s+[-+]\s+\d", main):
        return "arithmetic"  # `1500 - 135 - 141`: spaced operators, not a phone grouping
    if re.fullmatch(r"\d{3}-\d{2}-\d{4}", main):
        return "SSN-shaped"  # what the SSN validator rejected; no numbering plan groups 3-2-4
    if re.fullmatch(r"\d{1,5}\s?[\u2013\u2014]\s?\d{1,5}", main):
        return "range"  # a page or year range with an en or em dash
    if _isbn_ok(digits) or re.search(r"(?i)\bIS[BS]N[-:\s]*(?:1[03][-:\s]*)?$", before):
        return "isbn"
    if "." in main and (_NAME_BEFORE.search(before) or _VERSION_TAIL.match(after)
                        or re.fullmatch(r"\d+(?:\.\d+){1,}", main) and
                        re.search(r"(?i)version|\bv$|release|driver|cuda|pip|==", before)):
        return "version"
    if "/" in main or after.startswith("/") or before.endswith("/"):
        return "counter"
    if _OPERATOR_BEFORE.search(before) or _OPERATOR_AFTER.match(after):
        return "arithmetic"
    if _GROUP_BEFORE.search(before) or _GROUP_AFTER.match(after):
        return "part of a longer number"
    tok = _token(text, start, end)
    if tok.strip("()[]{},;:.\"'") != main and _PATHISH.search(tok):
        return "id in a URL, path or file name"
    return None


# --- IP addresses ---------------------------------------------------------------------------

# the anycast addresses of public DNS resolvers (Cloudflare, Google, Quad9, OpenDNS): a
# configuration value, never a person's address
_PUBLIC_RESOLVERS = frozenset({"1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9",
                               "149.112.112.112", "208.67.222.222", "208.67.220.220"})
_EC_BEFORE = re.compile(r"\bEC[\s:]*$")
_IP_VERSION_LINE = re.compile(r"(?i)\b(?:pip|conda|version|driver|cuda|cudnn|nvidia|wheel|"
                              r"requirement|collecting|downloading|installed|release|torch|python|numpy|"
                              r"tensorflow|transformers|jax)\b|==|\.whl|\+cu\d")
_SERVER_LOOKUP = re.compile(r"^\s*Resolving\s+\S+\s+\([^)]*\)\.\.\.|Connecting to \S+ \(\S+\)\|")


def ip_not_address(text: str, start: int, end: int) -> str | None:
    """`ip-not-address`: what an IP-shaped value is instead: an enzyme number (`EC 1.1.1.1`),
    a version (after a name, `-`, `_` or `/`, or on a pip/driver/CUDA line), a Python slice
    shaped like a compressed IPv6 address (`::2`, `1::2`, `d::`), or a server's address in
    wget/curl's `Resolving host… ip` / `Connecting to host (host)|ip|` output."""
    value = text[start:end]
    if ":" in value:
        groups = [g for g in value.split(":") if g]
        if "::" in value and (len(groups) <= 1 or len(groups) == 2 and
                              all(len(g) <= 2 for g in groups)):
            return "slice"
        return None
    if value in _PUBLIC_RESOLVERS:
        return "public DNS resolver"
    before = text[max(0, start - 24):start]
    if _EC_BEFORE.search(before):
        return "EC number"
    if re.search(r"[A-Za-z_\-/]$|\b[Uu]sing\s+[A-Za-z][\w.-]*\s+$", before):
        return "version"  # `mujoco_py-2.1.2.14`, `Using transformers 1.4.2.83`
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start:len(text) if line_end < 0 else line_end]
    if "@" not in line and "Received" not in line and _IP_VERSION_LINE.search(line):
        return "version"
    if _SERVER_LOOKUP.search(line):
        return "server lookup"
    return None


# --- SSN, cards, e-mail ----------------------------------------------------------------------

def ssn_unissuable(value: str) -> bool:
    """`ssn-unissuable`: the SSA never issues area 000, 666 or 900–999, group 00 or serial
    0000 (Presidio accepts the 9xx areas)."""
    d = "".join(c for c in value if c.isdigit())
    if len(d) != 9:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    return area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000"


_LABEL_BEFORE = re.compile(r"([A-Za-z_][\w ]{0,30}?)\s*[=:#]?\s*$")


def labelled_not_pii(text: str, start: int, end: int) -> bool:
    """A plain run of digits labelled, just before it in the text, by a name that says what it
    holds (`tid=…`, `FLOPs: …`, `tracking number …`) or inside a URL or path (`/users/…/`)."""
    if not text[start:end].isdigit():
        return False
    m = _LABEL_BEFORE.search(text, max(0, start - 32), start)
    if m and not_pii_key(m.group(1).strip()):
        return True
    return text[start - 1:start] == "/" or text[end:end + 1] == "/"


_IBAN_HEAD = re.compile(r"[A-Z]{2}\d\d(?:[ ]?[0-9A-Z]{4})*[ ]?$")


def in_other(span: PiiSpan, text: str, others: Sequence[PiiSpan]) -> bool:
    """`in-other-entity`: a card's or SSN's digits belong to another value: a number written
    with a `+` international prefix, an IBAN-shaped reference (`DE24 5076 …`: country letters
    and check digits before the digits), a longer hyphenated number (`ISBN 978-345-61-1017-2`),
    a labelled plain digit run (`tid=…`, `tracking number …`) or a URL path segment, or another
    entity's match around them."""
    before = text[max(0, span.start - 40):span.start]
    if before.endswith(("+", "\uff0b")) or labelled_not_pii(text, span.start, span.end):
        return True
    if re.search(r"\d[-.]$", before) or re.match(r"[-.]\d", text[span.end:span.end + 2]):
        return True  # a part of a longer hyphenated number (an ISBN holds an SSN's shape)
    if _IBAN_HEAD.search(before) and re.search(r"[A-Z]{2}\d\d", before):
        return True
    for o in others:
        if o.entity in ("IBAN_CODE", "EMAIL_ADDRESS", "IP_ADDRESS") and \
                o.start <= span.start and span.end <= o.end:
            return True
        if o.entity == "PHONE_NUMBER" and o.start < span.end and span.start < o.end and \
                text[o.start:o.end].lstrip().startswith(("+", "00")):
            return True
    return False


_PLACEHOLDER_LOCAL = frozenset({"user", "username", "name", "yourname", "your.name", "you",
                                "your", "me", "email", "someone", "somebody", "foo", "firstname",
                                "first.last", "firstname.lastname", "john.doe", "jane.doe"})
_PLACEHOLDER_DOMAIN = frozenset({"domain", "yourdomain", "email", "company", "mycompany",
                                 "yourcompany", "host", "bar", "foo", "server", "website",
                                 "mail.domain", "somewhere", "provider"})


def email_placeholder(value: str, escaped: bool = False) -> bool:
    """`email-placeholder`: `a@b.com` (a one-letter name at a one-letter domain), a name of
    one repeated letter (`zzzz@…`, `xxx@…`) and the textbook forms (`user@domain.com`,
    `you@yourdomain.com`, `foo@bar.com`, `name@email.com`). What the recognizer took in with the
    name from a printed bytes literal (`b'a@b.com`, `\\x07a@b.com`: `escaped`) is left out."""
    local, _, domain = value.lower().rpartition("@")
    local = local.rpartition("'")[2]
    if escaped and re.match(r"x[0-9a-f]{2}.", local):
        local = local[3:]
    if len(local) >= 3 and len(set(local)) == 1 and local.isalpha():
        return True
    labels = domain.split(".")
    if len(local) == 1 and len(labels) == 2 and len(labels[0]) == 1:
        return True
    return local in _PLACEHOLDER_LOCAL and ".".join(labels[:-1]) in _PLACEHOLDER_DOMAIN


# what a phone key does not turn into a phone number
_ALWAYS = frozenset({"amount", "date", "isbn", "version"})


# --- the filter ---------------------------------------------------------------------------------

class Precision:
    """The precision rules of one policy: those not named in `[pii] precision-off`."""

    def __init__(self, off: Sequence[str], regions: Sequence[str]) -> None:
        self.on = frozenset(NAMES) - frozenset(off)
        self.regions = tuple(regions)

    def dropped(self, span: PiiSpan, text: str, key: str | None,
                others: Sequence[PiiSpan]) -> str | None:
        """The name of the rule that drops this confirmed match, or None."""
        on, e = self.on, span.entity
        if KEY_NOT_PII in on and e in _WEAK and not_pii_key(key):
            return KEY_NOT_PII
        if e == "PHONE_NUMBER":
            intl = text[span.start:span.end].lstrip().startswith(("+", "\uff0b")) or \
                _INTL_BEFORE.search(text, max(0, span.start - 6), span.start) is not None
            if PHONE_NOT_NUMBER in on and not intl:
                other = phone_other_number(text, span.start, span.end)
                if other in _ALWAYS or other is not None and not phone_key(key):
                    return PHONE_NOT_NUMBER
            if KEY_NOT_PII in on and labelled_not_pii(text, span.start, span.end):
                return KEY_NOT_PII
            if PHONE_SHAPE in on and not phone_evidence(text, span.start, span.end, key,
                                                        self.regions):
                return PHONE_SHAPE
        elif e == "IP_ADDRESS" and IP_NOT_ADDRESS in on and \
                ip_not_address(text, span.start, span.end) is not None:
            return IP_NOT_ADDRESS
        elif e == "US_SSN":
            if SSN_UNISSUABLE in on and ssn_unissuable(text[span.start:span.end]):
                return SSN_UNISSUABLE
            if IN_OTHER in on and in_other(span, text, others):
                return IN_OTHER
        elif e == "CREDIT_CARD" and IN_OTHER in on and in_other(span, text, others):
            return IN_OTHER
        elif e == "EMAIL_ADDRESS" and EMAIL_PLACEHOLDER in on and \
                email_placeholder(text[span.start:span.end],
                                  text[span.start - 1:span.start] == "\\"):
            return EMAIL_PLACEHOLDER
        return None

    def keep(self, spans: Sequence[PiiSpan], text: str, key: str | None) -> list[PiiSpan]:
        if not self.on or not spans:
            return list(spans)
        return [s for s in spans if self.dropped(s, text, key, spans) is None]
