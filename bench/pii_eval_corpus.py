"""A held-out-style PII precision corpus (issue 12): realistic mixed ML data samples, generated
at run time from a seed (nothing here is a committed literal value), with line labels.

About 12,000 lines in many small files: CRM exports with column names in English, German,
French, Italian and Japanese; catalogs with ISBN columns; orders with card-, IBAN- and
SSN-shaped references that fail their checksums; web-analytics tables with user agents;
ML metric tables; JSONL chat logs and call transcripts; training logs with pip / driver
output; notebooks with printed arrays, tensors, shapes and SVG; citation lists; math word
problems. True PII (Faker: e-mails, phone numbers in national and international formats,
valid cards, IBANs, SSNs, IPs) is planted where it leaks in practice: free text, chat
messages, contact columns, notebook outputs, access logs.

    python bench/pii_eval_corpus.py --out bench/out/pii-eval --seed 12 --lines 12000

writes `OUT/corpus/...` (the files to scan) and `OUT/labels.json` (outside the scanned dir):

    {"seed": ..., "files": {"crm/kunden_03.csv": {"n_lines": 151, "lines": {"2": {
        "class": "crm-row",
        "entities": [["PHONE_NUMBER", 40, 55, "Telefon", "national-DE"], ...],
        "negatives": [["amount-eu", 80, 92, "Umsatz"], ...]}, ...}}}}

Spans are 0-based character offsets in the physical line of the file (as read as UTF-8).
Every line has a `class` (the kind of line); every value on it that a PII detector might take
for PII but is not has a `negatives` entry with its false-positive class; `key` is the CSV
column or JSON key it stands under (null in plain text and notebooks).
"""

from __future__ import annotations

import argparse
import json
import random
import string
from collections.abc import Callable
from pathlib import Path

import phonenumbers
from faker import Faker

MAX_FILE_LINES = 400  # far below the 1000 `lines` a finding lists: nothing is truncated


# ------------------------------------------------------------------------------ line builder

def _ident(s: str) -> str:
    return s


def _jenc(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)[1:-1]


class Line:
    """A physical line built from parts; labelled parts record their span."""

    def __init__(self, cls: str) -> None:
        self.cls = cls
        self.parts: list[str] = []
        self.n = 0
        self.entities: list[list] = []
        self.negatives: list[list] = []

    def t(self, s: str, enc: Callable[[str], str] = _ident) -> Line:
        s = enc(s)
        self.parts.append(s)
        self.n += len(s)
        return self

    def ent(self, s: str, etype: str, fmt: str = "", key: str | None = None,
            enc: Callable[[str], str] = _ident) -> Line:
        start = self.n
        self.t(s, enc)
        self.entities.append([etype, start, self.n, key, fmt])
        return self

    def neg(self, s: str, cls: str, key: str | None = None,
            enc: Callable[[str], str] = _ident) -> Line:
        start = self.n
        self.t(s, enc)
        self.negatives.append([cls, start, self.n, key])
        return self

    def text(self) -> str:
        return "".join(self.parts)

    def label(self) -> dict:
        return {"class": self.cls, "entities": self.entities, "negatives": self.negatives}


# A value to put in a cell or a text: plain string, or (string, "E:TYPE:fmt") / (string, "N:cls")
Seg = str | tuple[str, str]


def add_segs(line: Line, segs: list[Seg], key: str | None, enc: Callable[[str], str]) -> None:
    for s in segs:
        if isinstance(s, str):
            line.t(s, enc)
        elif s[1].startswith("E:"):
            _, etype, fmt = s[1].split(":", 2)
            line.ent(s[0], etype, fmt, key, enc)
        else:
            line.neg(s[0], s[1][2:], key, enc)


def csv_line(cls: str, cells: list[tuple[str, list[Seg]]], sep: str = ",") -> Line:
    """One CSV row; `cells` are (column name, segments). A cell holding the separator is
    quoted (values never hold quotes)."""
    line = Line(cls)
    for i, (key, segs) in enumerate(cells):
        if i:
            line.t(sep)
        raw = "".join(s if isinstance(s, str) else s[0] for s in segs)
        quote = sep in raw or '"' in raw
        if quote:
            line.t('"')
        add_segs(line, segs, key, _ident)
        if quote:
            line.t('"')
    return line


def json_line(cls: str, obj: list[tuple[str, object]], indent: str = "") -> Line:
    """A one-line JSON object; values are str (plain), list[Seg] (a string with labelled
    parts), int/float, or a nested list of (key, value) pairs / a list of such objects."""
    line = Line(cls)
    _json_obj(line, obj)
    return line


def _json_obj(line: Line, obj: list[tuple[str, object]]) -> None:
    line.t("{")
    for i, (k, v) in enumerate(obj):
        if i:
            line.t(", ")
        line.t(json.dumps(k, ensure_ascii=False) + ": ")
        _json_val(line, k, v)
    line.t("}")


def _json_val(line: Line, key: str, v: object) -> None:
    if isinstance(v, str):
        line.t(json.dumps(v, ensure_ascii=False))
    elif isinstance(v, tuple):  # one labelled value
        line.t('"')
        add_segs(line, [v], key, _jenc)
        line.t('"')
    elif isinstance(v, list) and v and isinstance(v[0], list):  # list of objects
        line.t("[")
        for i, o in enumerate(v):
            if i:
                line.t(", ")
            _json_obj(line, o)
        line.t("]")
    elif isinstance(v, list) and v and isinstance(v[0], tuple) and len(v[0]) == 2 and \
            isinstance(v[0][1], (list, str, int, float, tuple)) and not _is_seg(v[0]):
        _json_obj(line, v)  # nested object
    elif isinstance(v, list):  # a string of segments
        line.t('"')
        add_segs(line, v, key, _jenc)
        line.t('"')
    elif isinstance(v, bool) or v is None:
        line.t(json.dumps(v))
    else:
        line.t(str(v))


def _is_seg(t: tuple) -> bool:
    return isinstance(t[1], str) and (t[1].startswith("E:") or t[1].startswith("N:"))


# ------------------------------------------------------------------------------ value makers

def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(num: str) -> bool:
    return luhn_digit(num[:-1]) == num[-1]


def iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "")
    s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1


def group(s: str, sizes: list[int], sep: str = " ") -> str:
    out, i = [], 0
    for n in sizes:
        out.append(s[i:i + n])
        i += n
    if i < len(s):
        out.append(s[i:])
    return sep.join(o for o in out if o)


# Ofcom's numbers for drama and documentation (besides 01xx 496 0xxx and 0191 498 0xxx)
GB_DRAMA = ("207946", "7700900", "1632960", "8081570", "9098790", "3069990", "2896496",
            "2920180", "2890180")


class Maker:
    """Every generated value, from one seeded RNG and seeded Fakers."""

    NATIONAL = {"US": "en_US", "GB": "en_GB", "DE": "de_DE", "FR": "fr_FR", "IN": "en_IN",
                "CA": "en_CA", "BR": "pt_BR", "IL": "he_IL"}
    INTL_ONLY = {"IT": "it_IT", "JP": "ja_JP", "ES": "es_ES", "NL": "nl_NL", "CH": "de_CH",
                 "AU": "en_AU", "PL": "pl_PL", "SE": "sv_SE"}

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.fakers: dict[str, Faker] = {}
        self.seed = seed

    def fk(self, loc: str = "en_US") -> Faker:
        if loc not in self.fakers:
            f = Faker(loc)
            f.seed_instance(self.seed * 7919 + len(self.fakers))
            self.fakers[loc] = f
        return self.fakers[loc]

    # --- true PII
    def email(self, loc: str = "en_US") -> str:
        f = self.fk(loc)
        for _ in range(20):
            e = f.free_email() if self.r.random() < 0.6 else f.company_email()
            e = e.encode("ascii", "ignore").decode()
            dom = e.rsplit("@", 1)[-1]
            if "example" not in dom and "@" in e and not e.startswith("@") and "." in dom:
                return e
        return f"{f.user_name()}@gmail.com"

    def phone(self, region: str | None = None, fmt: str | None = None) -> tuple[str, str]:
        """A valid, non-fictional phone number and its format label."""
        if region is None:
            region = self.r.choice(list(self.NATIONAL) * 2 + list(self.INTL_ONLY))
        loc = self.NATIONAL.get(region) or self.INTL_ONLY[region]
        f = self.fk(loc)
        for attempt in range(300):
            # Faker's numbers first; for regions where Faker writes only fictional ranges
            # (en_GB: Ofcom's drama numbers), phonenumbers' example numbers re-drawn
            raw = f.phone_number() if attempt < 30 else self._redrawn(region)
            try:
                pn = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(pn) or \
                    phonenumbers.region_code_for_number(pn) != region:
                continue
            nat = str(pn.national_number)
            if "55501" in nat or (region == "GB" and (
                    nat[3:7] in ("4960", "4980") or nat.startswith(GB_DRAMA))):
                continue  # reserved fictional (drama) ranges are not anybody's number
            break
        else:
            raise RuntimeError(f"no valid phone number for {region}")
        choice = fmt
        if choice is None:
            opts = ["national", "national", "international", "e164"] \
                if region in self.NATIONAL else ["international", "e164"]
            choice = self.r.choice(opts)
        if choice == "national" and region not in self.NATIONAL:
            choice = "international"
        pf = {"national": phonenumbers.PhoneNumberFormat.NATIONAL,
              "international": phonenumbers.PhoneNumberFormat.INTERNATIONAL,
              "e164": phonenumbers.PhoneNumberFormat.E164}[choice]
        text = phonenumbers.format_number(pn, pf)
        return text, f"{choice}-{region}"

    def _redrawn(self, region: str) -> str:
        kind = self.r.choice([phonenumbers.PhoneNumberType.FIXED_LINE,
                              phonenumbers.PhoneNumberType.MOBILE])
        ex = phonenumbers.example_number_for_type(region, kind)
        nat = str(ex.national_number)
        keep = max(2, len(nat) - 7)
        nat = nat[:keep] + "".join(self.r.choice(string.digits) for _ in nat[keep:])
        return f"+{ex.country_code}{nat}"

    def card(self) -> tuple[str, str]:
        f = self.fk()
        kind = self.r.choice(["visa16", "mastercard", "amex", "discover", "visa16"])
        for _ in range(50):
            num = f.credit_card_number(card_type=kind)
            if num[0] != "2" and len(num) in (15, 16):  # 2-series and 19-digit: see notes
                break
        fmt = self.r.choice(["plain", "spaced", "dashed"])
        if fmt != "plain":
            sizes = [4, 6, 5] if len(num) == 15 else [4, 4, 4, 4]
            num = group(num, sizes, " " if fmt == "spaced" else "-")
        return num, f"{kind}-{fmt}"

    def iban(self) -> tuple[str, str]:
        loc = self.r.choice(["de_DE", "fr_FR", "it_IT", "nl_NL", "es_ES", "en_GB"])
        v = self.fk(loc).iban()
        assert iban_ok(v)
        if self.r.random() < 0.5:
            return group(v, [4] * 9), f"spaced-{v[:2]}"
        return v, f"compact-{v[:2]}"

    def ssn(self) -> str:
        while True:
            a, g, s = self.r.randint(1, 899), self.r.randint(1, 99), self.r.randint(1, 9999)
            if a != 666:
                return f"{a:03d}-{g:02d}-{s:04d}"

    def ip(self) -> tuple[str, str]:
        f = self.fk()
        if self.r.random() < 0.8:
            return f.ipv4_public(), "ipv4"
        while True:  # a global unicast address (2000::/3), not the documentation prefix
            v = f.ipv6()
            head = f"{self.r.randint(0x2001, 0x2a0f):x}"
            v = head + v[v.index(":"):]
            if not v.startswith("2001:db8"):
                return v, "ipv6"

    # --- negatives
    def isbn13(self, hyphen: bool = True) -> str:
        body = "978" + "".join(self.r.choice(string.digits) for _ in range(9))
        total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
        full = body + str((10 - total % 10) % 10)
        if not hyphen:
            return full
        a = self.r.choice([1, 1, 2, 3])
        b = self.r.randint(2, 6)
        rest = 9 - a - b
        return "-".join([full[:3], full[3:3 + a], full[3 + a:3 + a + b],
                         full[3 + a + b:3 + a + b + rest], full[12]])

    def issn(self) -> str:
        d = [self.r.randint(0, 9) for _ in range(7)]
        c = (11 - sum(x * w for x, w in zip(d, range(8, 1, -1), strict=True)) % 11) % 11
        return "".join(map(str, d[:4])) + "-" + "".join(map(str, d[4:])) + \
            ("X" if c == 10 else str(c))

    def amount_eu(self) -> str:
        v = self.r.uniform(1000, 9_999_999)
        s = f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        return s + " €" if self.r.random() < 0.8 else "€ " + s

    def amount_fr(self) -> str:
        v = self.r.uniform(1000, 9_999_999)
        return f"{v:,.2f}".replace(",", " ").replace(".", ",") + " €"

    def amount_us(self) -> str:
        return f"${self.r.uniform(1000, 99_999_999):,.2f}"

    def amount_jpy(self) -> str:
        return f"¥{self.r.randint(10_000, 999_999_999):,}"

    def date(self, style: str) -> str:
        y, m, d = self.r.randint(2015, 2025), self.r.randint(1, 12), self.r.randint(1, 28)
        return {"de": f"{d:02d}.{m:02d}.{y}", "fr": f"{d:02d}/{m:02d}/{y}",
                "us": f"{m:02d}/{d:02d}/{y}", "iso": f"{y}-{m:02d}-{d:02d}",
                "jp": f"{y}/{m:02d}/{d:02d}"}[style]

    def compact_ts(self) -> str:
        return (f"{self.r.randint(2019, 2025)}{self.r.randint(1, 12):02d}"
                f"{self.r.randint(1, 28):02d}{self.r.randint(0, 23):02d}"
                f"{self.r.randint(0, 59):02d}{self.r.randint(0, 59):02d}")

    def epoch(self) -> str:
        return str(self.r.randint(1_550_000_000, 1_760_000_000))

    def zip4(self) -> str:
        return f"{self.r.randint(10000, 99999)}-{self.r.randint(1, 9999):04d}"

    def coord(self) -> tuple[str, str]:
        return f"{self.r.uniform(-60, 70):.6f}", f"{self.r.uniform(-170, 170):.6f}"

    def big_id(self) -> str:
        return str(self.r.randint(10**9, 10**13))

    def card_shaped_bad(self) -> str:
        while True:
            body = self.r.choice("3456") + "".join(self.r.choice(string.digits)
                                                    for _ in range(15))
            if not luhn_ok(body):
                break
        style = self.r.choice(["plain", "spaced", "dashed"])
        if style == "plain":
            return body
        return group(body, [4, 4, 4, 4], " " if style == "spaced" else "-")

    def iban_shaped_bad(self) -> str:
        while True:
            cc = self.r.choice(["DE", "FR", "IT", "NL", "ES", "AT", "BE"])
            n = {"DE": 18, "FR": 23, "IT": 23, "NL": 14, "ES": 20, "AT": 16, "BE": 12}[cc]
            if cc == "NL":
                bban = "".join(self.r.choice(string.ascii_uppercase) for _ in range(4)) + \
                    "".join(self.r.choice(string.digits) for _ in range(10))
            elif cc == "IT":
                bban = self.r.choice(string.ascii_uppercase) + \
                    "".join(self.r.choice(string.digits) for _ in range(22))
            else:
                bban = "".join(self.r.choice(string.digits) for _ in range(n))
            v = f"{cc}{self.r.randint(2, 98):02d}{bban}"
            if not iban_ok(v):
                return group(v, [4] * 9) if self.r.random() < 0.5 else v

    def ssn_shaped_bad(self) -> str:
        kind = self.r.randint(0, 3)
        a, g, s = self.r.randint(1, 665), self.r.randint(1, 99), self.r.randint(1, 9999)
        if kind == 0:
            a = 666
        elif kind == 1:
            s = 0
        elif kind == 2:
            g = 0
        else:
            a = self.r.randint(900, 999)
        return f"{a:03d}-{g:02d}-{s:04d}"

    def user_agent(self) -> str:
        r = self.r
        chrome = f"{r.randint(100, 126)}.0.{r.randint(4000, 6999)}.{r.randint(10, 250)}"
        return r.choice([
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{chrome} Safari/537.36",
            f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
            f"Gecko) Chrome/{chrome} Safari/537.36 Edg/{chrome}",
            f"Mozilla/5.0 (X11; Linux x86_64; rv:{r.randint(100, 128)}.0) Gecko/20100101 "
            f"Firefox/{r.randint(100, 128)}.0",
            f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_{r.randint(0, 5)} like Mac OS X) "
            f"AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{r.randint(0, 5)} "
            f"Mobile/15E148 Safari/604.1",
            f"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{chrome} Mobile Safari/537.36",
        ])

    def version(self) -> str:
        r = self.r
        return r.choice([f"{r.randint(2019, 2025)}.{r.randint(1, 12)}.{r.randint(0, 3)}",
                         f"{r.randint(0, 4)}.{r.randint(0, 40)}.{r.randint(0, 20)}",
                         f"{r.randint(1, 3)}.{r.randint(0, 9)}.{r.randint(0, 9)}."
                         f"{r.randint(1, 99)}",
                         f"{r.randint(2019, 2024)}.{r.randint(1, 12)}.{r.randint(1, 28)}"])

    def uuid(self) -> str:
        h = "".join(self.r.choice("0123456789abcdef") for _ in range(32))
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"

    def word(self) -> str:
        return self.fk().word()


# ------------------------------------------------------------------------------ file kinds

CRM_LOCALES = {
    # locale: (faker locale, phone region, columns, amount, date style, ref kind)
    "en": ("en_US", "US", ["customer_id", "name", "email", "phone", "company", "zip",
                           "latitude", "longitude", "revenue", "last_contact", "order_ref",
                           "user_agent"], "us", "us", "card"),
    "de": ("de_DE", "DE", ["Kundennummer", "Name", "E-Mail", "Telefon", "Firma", "PLZ",
                           "Umsatz", "Letzter Kontakt", "Abrechnungsreferenz", "Zeitstempel"],
           "eu", "de", "iban"),
    "fr": ("fr_FR", "FR", ["identifiant", "nom", "courriel", "téléphone", "société",
                           "code_postal", "chiffre_d_affaires", "dernier_contact",
                           "référence_règlement", "horodatage"], "fr", "fr", "iban"),
    "it": ("it_IT", "IT", ["codice_cliente", "nome", "email", "telefono", "azienda", "cap",
                           "fatturato", "data_ultimo_contatto", "riferimento_legacy",
                           "ordine"], "eu", "fr", "ssn"),
    "ja": ("ja_JP", "JP", ["顧客ID", "氏名", "メール", "電話", "会社名", "郵便番号", "売上",
                           "最終連絡日", "注文番号", "タイムスタンプ"], "jpy", "jp", "card"),
}


def crm_file(m: Maker, loc: str, rows: int) -> list[Line]:
    floc, region, cols, amount, dstyle, ref = CRM_LOCALES[loc]
    f = m.fk(floc)
    lines = [csv_line("header", [(c, [c]) for c in cols])]
    for _ in range(rows):
        vals: list[tuple[str, list[Seg]]] = []
        for i, c in enumerate(cols):
            role = ["id", "name", "email", "phone", "company"][i] if i < 5 else c
            if role == "id":
                vals.append((c, [(m.big_id(), "N:large-int-id")]))
            elif role == "name":
                vals.append((c, [f.name()]))
            elif role == "email":
                vals.append((c, [(m.email(floc), "E:EMAIL_ADDRESS:column")]
                             if m.r.random() < 0.9 else []))
            elif role == "phone":
                if m.r.random() < 0.85:
                    p, fmt = m.phone(region)
                    vals.append((c, [(p, f"E:PHONE_NUMBER:{fmt}")]))
                else:
                    vals.append((c, []))
            elif role == "company":
                vals.append((c, [f.company().replace(",", "")]))
            elif c in ("zip",):
                vals.append((c, [(m.zip4(), "N:zip4")]))
            elif c in ("PLZ", "code_postal", "cap"):
                vals.append((c, [(f"{m.r.randint(1000, 99999):05d}", "N:postcode")]))
            elif c == "郵便番号":
                vals.append((c, [(f"{m.r.randint(100, 999)}-{m.r.randint(0, 9999):04d}",
                                  "N:postcode")]))
            elif c == "latitude":
                lat, lon = m.coord()
                vals.append((c, [(lat, "N:coordinates")]))
                vals.append(("longitude", [(lon, "N:coordinates")]))
            elif c == "longitude":
                continue
            elif c in ("revenue", "Umsatz", "chiffre_d_affaires", "fatturato", "売上"):
                a = {"us": m.amount_us, "eu": m.amount_eu, "fr": m.amount_fr,
                     "jpy": m.amount_jpy}[amount]()
                vals.append((c, [(a, "N:amount")]))
            elif c in ("last_contact", "Letzter Kontakt", "dernier_contact",
                       "data_ultimo_contatto", "最終連絡日"):
                vals.append((c, [(m.date(dstyle), "N:date")]))
            elif c in ("order_ref", "注文番号", "ordine"):
                vals.append((c, [(m.card_shaped_bad(), "N:card-shaped-ref")]))
            elif c in ("Abrechnungsreferenz", "référence_règlement"):
                vals.append((c, [(m.iban_shaped_bad(), "N:iban-shaped-ref")]))
            elif c == "riferimento_legacy":
                vals.append((c, [(m.ssn_shaped_bad(), "N:ssn-shaped-ref")]))
            elif c in ("Zeitstempel", "horodatage", "タイムスタンプ"):
                vals.append((c, [(m.compact_ts(), "N:compact-timestamp")]))
            elif c == "user_agent":
                vals.append((c, [(m.user_agent(), "N:user-agent")]))
            else:
                vals.append((c, [m.word()]))
        lines.append(csv_line("crm-row", vals, sep=";" if loc in ("de", "fr", "it") else ","))
    if loc in ("de", "fr", "it"):
        lines[0] = csv_line("header", [(c, [c]) for c in cols], sep=";")
    return lines


def catalog_file(m: Maker, rows: int) -> list[Line]:
    cols = ["isbn", "title", "author", "publisher", "year", "pages", "price_eur", "ean",
            "issn"]
    lines = [csv_line("header", [(c, [c]) for c in cols])]
    f = m.fk()
    for _ in range(rows):
        lines.append(csv_line("catalog-row", [
            ("isbn", [(m.isbn13(m.r.random() < 0.8), "N:isbn")]),
            ("title", [f.catch_phrase().replace(",", "")]),
            ("author", [f.name()]),
            ("publisher", [f.company().replace(",", "")]),
            ("year", [str(m.r.randint(1950, 2025))]),
            ("pages", [str(m.r.randint(80, 1200))]),
            ("price_eur", [f"{m.r.uniform(5, 180):.2f}"]),
            ("ean", [(m.isbn13(False), "N:isbn")]),
            ("issn", [(m.issn(), "N:issn")] if m.r.random() < 0.3 else []),
        ]))
    return lines


def orders_file(m: Maker, rows: int, leak: str | None) -> list[Line]:
    """Orders and payouts; `leak` plants a real column of cards / IBANs / SSNs."""
    cols = ["order_id", "created", "amount", "currency", "order_ref", "settlement_ref",
            "legacy_ref", "ship_zip", "ship_lat", "ship_lon"]
    if leak == "card":
        cols.append("card_number")
    elif leak == "iban":
        cols.append("payout_iban")
    elif leak == "ssn":
        cols.append("ssn")
    lines = [csv_line("header", [(c, [c]) for c in cols])]
    for _ in range(rows):
        lat, lon = m.coord()
        cur = m.r.choice(["USD", "EUR", "EUR", "GBP"])
        amt = m.amount_us() if cur == "USD" else m.amount_eu()
        cells: list[tuple[str, list[Seg]]] = [
            ("order_id", [(m.big_id(), "N:large-int-id")]),
            ("created", [(m.compact_ts(), "N:compact-timestamp")]),
            ("amount", [(amt, "N:amount")]), ("currency", [cur]),
            ("order_ref", [(m.card_shaped_bad(), "N:card-shaped-ref")]),
            ("settlement_ref", [(m.iban_shaped_bad(), "N:iban-shaped-ref")]),
            ("legacy_ref", [(m.ssn_shaped_bad(), "N:ssn-shaped-ref")]),
            ("ship_zip", [(m.zip4(), "N:zip4")]),
            ("ship_lat", [(lat, "N:coordinates")]), ("ship_lon", [(lon, "N:coordinates")]),
        ]
        if leak == "card":
            c, fmt = m.card()
            cells.append(("card_number", [(c, f"E:CREDIT_CARD:{fmt}")]))
        elif leak == "iban":
            v, fmt = m.iban()
            cells.append(("payout_iban", [(v, f"E:IBAN_CODE:{fmt}")]))
        elif leak == "ssn":
            cells.append(("ssn", [(m.ssn(), "E:US_SSN:column")]))
        lines.append(csv_line("orders-row", cells))
    return lines


def analytics_file(m: Maker, rows: int) -> list[Line]:
    cols = ["ts", "session_id", "client_ip", "user_agent", "path", "status", "bytes",
            "latency_ms"]
    lines = [csv_line("header", [(c, [c]) for c in cols])]
    for _ in range(rows):
        ip, fmt = m.ip()
        lines.append(csv_line("analytics-row", [
            ("ts", [(m.epoch(), "N:epoch-timestamp")]),
            ("session_id", [(m.uuid(), "N:uuid")]),
            ("client_ip", [(ip, f"E:IP_ADDRESS:{fmt}")]),
            ("user_agent", [(m.user_agent(), "N:user-agent")]),
            ("path", ["/api/v2/items/", (str(m.r.randint(10**5, 10**8)), "N:url-id")]),
            ("status", [m.r.choice(["200", "200", "304", "404"])]),
            ("bytes", [(str(m.r.randint(10**6, 10**10)), "N:large-int-count")]),
            ("latency_ms", [f"{m.r.uniform(1, 900):.1f}"]),
        ]))
    return lines


def metrics_file(m: Maker, rows: int) -> list[Line]:
    cols = ["step", "epoch", "loss", "lr", "tokens_seen", "flops", "wall_time",
            "gpu_mem_bytes", "samples_per_sec"]
    lines = [csv_line("header", [(c, [c]) for c in cols])]
    tokens = m.r.randint(10**8, 10**9)
    for i in range(rows):
        tokens += m.r.randint(10**6, 10**7)
        lines.append(csv_line("metrics-row", [
            ("step", [str(i * 50)]), ("epoch", [f"{i / rows:.3f}"]),
            ("loss", [f"{m.r.uniform(0.5, 3):.6f}"]), ("lr", [f"{m.r.uniform(1e-5, 3e-4):.3e}"]),
            ("tokens_seen", [(str(tokens), "N:large-int-count")]),
            ("flops", [(str(m.r.randint(10**14, 10**18)), "N:flop-count")]),
            ("wall_time", [(m.epoch() + f".{m.r.randint(0, 999999):06d}", "N:epoch-timestamp")]),
            ("gpu_mem_bytes", [(str(m.r.randint(10**9, 8 * 10**10)), "N:large-int-count")]),
            ("samples_per_sec", [f"{m.r.uniform(10, 900):.2f}"]),
        ]))
    return lines


CONTEXT = {
    "PHONE_NUMBER": ["call me at ", "my number is ", "you can reach me on ", "phone: ",
                     "ruf mich an unter ", "Telefon: ", "mon numéro est le ", "tel. ",
                     "text me at ", "my cell is ", "please call back on ", "WhatsApp: "],
    "EMAIL_ADDRESS": ["email me at ", "my email is ", "send it to ", "contact: ",
                      "meine E-Mail ist ", "mon adresse mail : "],
    "CREDIT_CARD": ["my card number is ", "charge it to ", "the card ending is on file, "
                    "full number ", "card: "],
    "IBAN_CODE": ["please refund to ", "my IBAN is ", "Überweisung an IBAN ", "IBAN: "],
    "US_SSN": ["my SSN is ", "social security number ", "SSN: "],
    "IP_ADDRESS": ["my IP is ", "I'm connecting from ", "the server at "],
}


def negative_text(m: Maker) -> list[Seg]:
    """A chat-style sentence with numbers that are not PII, labelled."""
    r = m.r
    k = r.randint(0, 15)
    if k == 0:
        return ["my order ", (m.card_shaped_bad(), "N:card-shaped-ref"),
                " still hasn't shipped"]
    if k == 1:
        return ["I was charged ", (m.amount_us(), "N:amount"), " instead of the quoted price"]
    if k == 2:
        return ["die Rechnung über ", (m.amount_eu(), "N:amount"), " kam am ",
                (m.date("de"), "N:date"), " an"]
    if k == 3:
        return ["the book is ISBN ", (m.isbn13(), "N:isbn"), ", second edition"]
    if k == 4:
        return ["ticket ", (m.compact_ts(), "N:compact-timestamp"), " was closed without a reply"]
    if k == 5:
        return ["I'm on version ", (m.version(), "N:version"), " and it still crashes"]
    if k == 6:
        return ["the reference on the transfer was ", (m.iban_shaped_bad(), "N:iban-shaped-ref")]
    if k == 7:
        return ["our old system id was ", (m.ssn_shaped_bad(), "N:ssn-shaped-ref")]
    if k == 8:
        return ["we shipped to ZIP ", (m.zip4(), "N:zip4"), " last week"]
    if k == 9:
        lat, lon = m.coord()
        return ["the pickup point is at ", (f"{lat}, {lon}", "N:coordinates")]
    if k == 10:
        return ["tracking number ", (str(r.randint(10**11, 10**14)), "N:large-int-id"),
                " says delivered"]
    if k == 11:
        return ["the meeting moved to ", (m.date("us"), "N:date"), " at 3pm"]
    if k == 12:
        return ["invoice total ", (m.amount_fr(), "N:amount"), " TTC"]
    if k == 13:
        return ["my browser is ", (m.user_agent(), "N:user-agent")]
    if k == 14:
        return ["order ", (str(r.randint(10**7, 10**10)), "N:large-int-id"), " for ",
                (m.amount_eu(), "N:amount")]
    return ["it took ", (f"{r.randint(2, 40)}/{r.randint(41, 90)}", "N:fraction"),
            " attempts and ", (f"{r.randint(10, 99)}.{r.randint(10, 99)}%", "N:percent")]


def positive_text(m: Maker, etype: str | None = None) -> list[Seg]:
    r = m.r
    etype = etype or r.choice(["PHONE_NUMBER"] * 5 + ["EMAIL_ADDRESS"] * 3 +
                              ["CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS"])
    ctx = r.random() < 0.7
    pre = r.choice(CONTEXT[etype]) if ctx else r.choice(["ok so ", "", "fine, ", "update: "])
    if etype == "PHONE_NUMBER":
        v, fmt = m.phone()
    elif etype == "EMAIL_ADDRESS":
        v, fmt = m.email(r.choice(["en_US", "de_DE", "fr_FR", "en_GB"])), "text"
    elif etype == "CREDIT_CARD":
        v, fmt = m.card()
    elif etype == "IBAN_CODE":
        v, fmt = m.iban()
    elif etype == "US_SSN":
        v, fmt = m.ssn(), "text"
    else:
        v, fmt = m.ip()
    tail = r.choice([" thanks", " if that helps", "", " after 6pm", ".", " asap"])
    return [pre, (v, f"E:{etype}:{fmt}{'-ctx' if ctx else ''}"), tail]


def chat_file(m: Maker, rows: int) -> list[Line]:
    lines = []
    f = m.fk()
    for i in range(rows):
        msgs = []
        roll = m.r.random()
        if roll < 0.45:
            segs = positive_text(m)
        elif roll < 0.85:
            segs = negative_text(m)
        else:
            segs = [f.sentence()]
        msgs.append([("role", "user"), ("content", segs)])
        msgs.append([("role", "assistant"), ("content", f.sentence())])
        lines.append(json_line("chat", [
            ("id", i), ("conversation_id", ("" + m.uuid(), "N:uuid")),
            ("created", (m.epoch(), "N:epoch-timestamp")), ("messages", msgs)]))
    return lines


def transcript_file(m: Maker, rows: int) -> list[Line]:
    lines = []
    f = m.fk()
    call = m.big_id()
    for i in range(rows):
        obj: list[tuple[str, object]] = [
            ("call_id", (call, "N:large-int-id")), ("turn", i),
            ("start", (m.date("iso") + f"T{m.r.randint(0, 23):02d}:{m.r.randint(0, 59):02d}:00Z",
                       "N:date")),
            ("speaker", m.r.choice(["agent", "caller"]))]
        roll = m.r.random()
        if roll < 0.3:
            obj.append(("text", positive_text(m, m.r.choice(["PHONE_NUMBER"] * 4 +
                                                            ["EMAIL_ADDRESS"]))))
        elif roll < 0.75:
            obj.append(("text", negative_text(m)))
        else:
            obj.append(("text", f.sentence()))
        if i % 25 == 0:
            p, fmt = m.phone(m.r.choice(["US", "GB", "DE"]), "e164")
            obj.append(("caller_number", (p, f"E:PHONE_NUMBER:{fmt}")))
        lines.append(json_line("transcript", obj))
    return lines


def log_lines(m: Maker, n: int) -> list[Line]:
    r = m.r
    out: list[Line] = []
    while len(out) < n:
        ts = f"[{m.date('iso')} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:" \
             f"{r.randint(0, 59):02d},{r.randint(0, 999):03d}]"
        k = r.randint(0, 16)
        L = Line("log")
        L.t(ts + " ")
        if k == 0:
            pk = r.sample(["torch", "fsspec", "regex", "datasets", "tokenizers", "numpy",
                           "transformers", "aiohttp", "pyarrow", "mujoco_py"], 3)
            L.t("Successfully installed ")
            for j, p in enumerate(pk):
                L.t(" " if j else "").neg(f"{p}-{m.version()}", "version-pip")
        elif k == 1:
            L.t("Requirement already satisfied: regex").neg(
                f"!={r.randint(2017, 2020)}.{r.randint(1, 12)}.{r.randint(1, 28)}",
                "version-pip").t(" in /usr/lib/python3/dist-packages (from transformers) (")
            L.neg(m.version(), "version-pip").t(")")
        elif k == 2:
            drv = f"{r.randint(450, 560)}.{r.randint(10, 199)}.{r.randint(1, 20):02d}"
            L.t("| NVIDIA-SMI ").neg(drv, "version-driver").t("   Driver Version: ")
            L.neg(drv, "version-driver").t(f"   CUDA Version: 12.{r.randint(0, 4)} |")
        elif k == 3:
            L.t("cuDNN version ").neg(f"({r.randint(7, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}"
                                      f".{r.randint(1, 99)})", "version-driver")
        elif k == 4:
            t = r.randint(1000, 99999)
            L.t("Map: 100%|██████████| ").neg(f"{t}/{t}", "progress-counter").t(
                f" [00:{r.randint(10, 59)}<00:00, {r.uniform(100, 9000):.2f} examples/s]")
        elif k == 5:
            L.t("INFO worker ").neg(f"pid={r.randint(1000, 4194304)}", "pid").t(" ").neg(
                f"tid={r.randint(10**14, 10**15)}", "pid").t(" started")
        elif k == 6:
            L.t("Total training FLOPs: ").neg(str(r.randint(10**15, 10**19)), "flop-count")
        elif k == 7:
            L.t("Number of trainable parameters: ").neg(f"{r.randint(10**6, 10**10):,}",
                                                        "param-count")
        elif k == 8:
            L.t("writing events to runs/").neg(
                f"events.out.tfevents.{m.epoch()}.gpu-node-{r.randint(1, 64)}."
                f"{r.randint(1000, 99999)}.0", "event-file")
        elif k == 9:
            L.t("created temporary directory ").neg(
                f"/tmp/tmp{''.join(r.choice(string.ascii_lowercase) for _ in range(4))}_"
                f"{r.randint(10**6, 10**9)}", "pid")
        elif k == 10:
            L.t(f"step {r.randint(1, 99999)} ").neg(
                f"{r.randint(1, 9999)}/{r.randint(10000, 99999)}", "progress-counter").t(
                f" loss={r.uniform(0.1, 4):.4f} lr={r.uniform(1e-5, 1e-3):.2e}")
        elif k == 11:
            L.t("Using transformers ").neg(m.version(), "version-pkg").t(", torch ").neg(
                f"{r.randint(1, 2)}.{r.randint(0, 5)}.{r.randint(0, 3)}+cu{r.randint(110, 124)}",
                "version-pkg")
        elif k == 12:
            L.t("checkpoint saved: ").neg(f"ckpt-{m.compact_ts()}.pt", "compact-timestamp")
        elif k == 13:
            L.t("model output ids: [").neg(", ".join(str(r.randint(10**6, 10**9))
                                                     for _ in range(5)), "int-list").t("]")
        elif k == 14:  # real PII leaking into logs
            e = r.choice(["EMAIL_ADDRESS", "IP_ADDRESS", "IP_ADDRESS"])
            if e == "EMAIL_ADDRESS":
                L.t("sending failure report to ").ent(m.email(), e, "log")
            else:
                v, fmt = m.ip()
                L.t("accepted connection from ").ent(v, e, fmt).t(f":{r.randint(1024, 65535)}")
        elif k == 15:
            L.t("GET /api/users/").neg(str(r.randint(10**7, 10**12)), "url-id").t(
                f"/avatar HTTP/1.1 200 {r.randint(100, 99999)}")
        else:
            L.t("Downloading data from https://huggingface.co/datasets/x/resolve/main/"
                f"part-{r.randint(0, 99):05d}-of-{r.randint(100, 999):05d}.parquet")
            L.cls = "log-url"
        out.append(L)
    return out


def log_file(m: Maker, rows: int) -> list[Line]:
    return log_lines(m, rows)


# ------------------------------------------------------------------------------ notebooks

def nb_output_lines(m: Maker) -> list[Line]:
    """The text of one cell's output, line by line (labels before JSON encoding: the notebook
    writer re-encodes each line and shifts the spans)."""
    r = m.r
    k = r.randint(0, 9)
    out: list[Line] = []
    if k == 0:
        rows = r.randint(2, 5)
        for i in range(rows):
            L = Line("nb-array")
            L.t("array([[" if i == 0 else "       [")
            L.neg(", ".join(f"{r.randint(10**5, 10**8):>9d}" for _ in range(4)), "numpy-array")
            L.t("]])" if i == rows - 1 else "],")
            out.append(L)
    elif k == 1:
        L = Line("nb-tensor").t("tensor([").neg(", ".join(f"{r.uniform(-3, 3):.4f}"
                                                          for _ in range(6)), "tensor").t("])")
        out.append(L)
        L = Line("nb-tensor").t("tensor([").neg(", ".join(str(r.randint(1000, 50000))
                                                          for _ in range(8)), "tensor").t("])")
        out.append(L)
    elif k == 2:
        out.append(Line("nb-shape").neg(f"({r.randint(1000, 99999)}, {r.randint(1, 512)}, "
                                        f"{r.randint(1, 512)})", "shape-tuple"))
        out.append(Line("nb-shape").t("torch.Size([").neg(
            f"{r.choice([16, 32, 64])}, 3, {r.choice([224, 256])}, {r.choice([224, 256])}",
            "shape-tuple").t("])"))
    elif k == 3:
        out.append(Line("nb-svg").t('<svg xmlns="http://www.w3.org/2000/svg" ').neg(
            f'viewBox="0 0 {r.uniform(100, 2000):.2f} {r.uniform(100, 2000):.2f}"',
            "svg-viewbox").t(">"))
    elif k == 4:  # pip output in a notebook
        L = Line("nb-pip").t("Successfully installed ")
        for j in range(3):
            L.t(" " if j else "").neg(f"{m.word()}-{m.version()}", "version-pip")
        out.append(L)
    elif k == 5:  # df.head() of a customer table: the leak notebooks really have
        f = m.fk()
        out.append(Line("nb-table").t("   name                 email                 phone"))
        for i in range(r.randint(2, 5)):
            p, fmt = m.phone(r.choice(["US", "GB", "DE", "FR", "IN"]))
            out.append(Line("nb-table").t(f"{i}  {f.name():<20} ").ent(
                m.email(), "EMAIL_ADDRESS", "nb").t("  ").ent(p, "PHONE_NUMBER", fmt))
    elif k == 6:  # math word problems
        a, b = r.randint(2, 90), r.randint(2, 40)
        out.append(Line("nb-math").t("She sells ").neg(f"{a} * {b} = {a * b}", "arithmetic")
                   .t(" cupcakes, so the answer is ").neg(f"{a * b} / {b} = {a}", "arithmetic"))
        frac = f"{r.randint(10, 99)}/{r.randint(10**4, 10**5)}"
        out.append(Line("nb-math").t("ratio: ").neg(frac, "arithmetic"))
        out.append(Line("nb-math").t("size in GB: ").neg("1024 / 1024 / 1024", "arithmetic"))
    elif k == 7:
        out.append(Line("nb-counts").t("Counter({").neg(", ".join(
            f"{r.randint(10**6, 10**9)}: {r.randint(1, 99)}" for _ in range(3)), "int-dict")
                   .t("})"))
    elif k == 8:  # a print with a real contact
        p, fmt = m.phone()
        out.append(Line("nb-print").t("contact for this sample: ").ent(p, "PHONE_NUMBER", fmt))
    else:
        out.append(Line("nb-print").t(f"Epoch {r.randint(1, 20)}: val_acc=").neg(
            f"{r.uniform(0.5, 1):.4f}", "metric-float").t(" ").neg(
            f"{r.randint(1000, 9999)}/{r.randint(10000, 99999)}", "progress-counter"))
    return out


def nb_source_lines(m: Maker) -> list[Line]:
    r = m.r
    return r.choice([
        [Line("code").t("x = arr").neg("[::2]", "python-slice"),
         Line("code").t("y = df.iloc[:, ").neg("::3", "python-slice").t("]")],
        [Line("code").t("import numpy as np"), Line("code").t("a = np.arange(24).reshape(2, 3, 4)"),
         Line("code").t("a")],
        [Line("code").t("print(model.num_parameters())")],
        [Line("code").t("df = pd.read_csv('customers.csv')"), Line("code").t("df.head()")],
        [Line("code").t("!pip install -q datasets==").neg(m.version(), "version-pip")],
        [Line("code").t("print(x.shape, t[").neg("1::2", "python-slice").t("].sum())")],
    ])


def notebook_file(m: Maker, cells: int) -> list[Line]:
    """An .ipynb written with one JSON string per physical line (indent 1, as Jupyter does)."""
    out: list[Line] = [Line("nb-structure").t("{"), Line("nb-structure").t(' "cells": [')]
    for ci in range(cells):
        src = nb_source_lines(m)
        outs = nb_output_lines(m)
        out.append(Line("nb-structure").t("  {"))
        out.append(Line("nb-structure").t('   "cell_type": "code",'))
        out.append(Line("nb-structure").t(f'   "execution_count": {ci + 1},'))
        out.append(Line("nb-structure").t('   "metadata": {},'))
        out.append(Line("nb-structure").t('   "outputs": ['))
        out.append(Line("nb-structure").t("    {"))
        out.append(Line("nb-structure").t('     "name": "stdout",'))
        out.append(Line("nb-structure").t('     "output_type": "stream",'))
        out.append(Line("nb-structure").t('     "text": ['))
        out.extend(_nb_strings(outs, "      "))
        out.append(Line("nb-structure").t("     ]"))
        out.append(Line("nb-structure").t("    }"))
        out.append(Line("nb-structure").t("   ],"))
        out.append(Line("nb-structure").t('   "source": ['))
        out.extend(_nb_strings(src, "    "))
        out.append(Line("nb-structure").t("   ]"))
        out.append(Line("nb-structure").t("  }" + ("," if ci < cells - 1 else "")))
    for s in (" ],", ' "metadata": {"kernelspec": {"display_name": "Python 3", '
              '"language": "python", "name": "python3"}},', ' "nbformat": 4,',
              ' "nbformat_minor": 5', "}"):
        out.append(Line("nb-structure").t(s))
    return out


def _nb_strings(lines: list[Line], indent: str) -> list[Line]:
    """Each line as a JSON string element (`"text\\n",`), spans shifted and re-encoded."""
    res = []
    for i, L in enumerate(lines):
        last = i == len(lines) - 1
        N = Line(L.cls)
        N.t(indent + '"')
        text = L.text()
        marks = sorted([(s, e, "E", lab) for lab, s, e, *_ in L.entities] +
                       [(s, e, "N", lab) for lab, s, e, *_ in L.negatives])
        pos = 0
        for s, e, kind, lab in marks:
            N.t(text[pos:s], _jenc)
            if kind == "E":
                ent = next(x for x in L.entities if x[1] == s)
                N.ent(text[s:e], lab, ent[4], None, _jenc)
            else:
                N.neg(text[s:e], lab, None, _jenc)
            pos = e
        N.t(text[pos:] + ("" if last else "\n"), _jenc)
        N.t('"' + ("" if last else ","))
        res.append(N)
    return res


# ------------------------------------------------------------------------------ prose

def citations_file(m: Maker, rows: int) -> list[Line]:
    r = m.r
    f = m.fk()
    out = [Line("prose").t("# References"), Line("prose").t("")]
    for i in range(rows):
        k = r.randint(0, 7)
        L = Line("citation").t(f"{i + 1}. {f.last_name()}, {f.first_name()[0]}. "
                               f"({r.randint(1970, 2024)}). {f.catch_phrase()}. ")
        if k == 0:
            L.t("Journal of Data Science, 12(3), ").neg(f"{r.randint(100, 900)}–"
                                                        f"{r.randint(901, 1999)}", "page-range")
            L.t(". ISSN ").neg(m.issn(), "issn")
        elif k == 1:
            L.t("Springer. ISBN ").neg(m.isbn13(), "isbn")
        elif k == 2:
            L.t("doi:").neg(f"10.{r.randint(1000, 9999)}/{r.randint(1000, 9999)}."
                            f"{r.randint(10**5, 10**7)}", "doi")
        elif k == 3:
            y = r.randint(1950, 2010)
            L.t("Annual survey data, ").neg(f"{y}–{y + r.randint(1, 14)}", "year-range").t(
                ", pp. ").neg(f"{r.randint(1, 300)}-{r.randint(301, 999)}", "page-range")
        elif k == 4:
            L.t("Enzyme ").neg(f"EC {r.randint(1, 7)}.{r.randint(1, 20)}.{r.randint(1, 30)}."
                               f"{r.randint(1, 200)}", "ec-number").t(" kinetics.")
        elif k == 5:
            L.t("arXiv:").neg(f"{r.randint(1501, 2412)}.{r.randint(10000, 29999)}", "arxiv-id")
        elif k == 6:
            L.t("In Proc. of the conference, ").neg(m.date("de"), "date").t(", Berlin.")
        else:
            L.t("Retrieved ").neg(m.date("iso"), "date")
        out.append(L)
    return out


def readme_file(m: Maker, rows: int) -> list[Line]:
    """A dataset card: prose, placeholders, a table of numbers, and a real maintainer
    contact or two."""
    r = m.r
    f = m.fk()
    out = [Line("prose").t(f"# {f.word().title()} dataset"), Line("prose").t("")]
    while len(out) < rows:
        k = r.randint(0, 9)
        if k == 0:
            out.append(Line("placeholder").t("Set `user_email` to something like ").neg(
                "a@b.com", "placeholder-email").t(" in the config."))
        elif k == 1:
            out.append(Line("placeholder").t("Point the client at ").neg(
                "123.456.123.456", "placeholder-ip").t(" (replace with your host)."))
        elif k == 2:
            out.append(Line("md-table").t("| ").neg(f"{r.randint(10**5, 10**8):,}", "count")
                       .t(" | ").neg(f"{r.uniform(0, 100):.2f}", "metric-float").t(" | ")
                       .neg(m.date("iso"), "date").t(" |"))
        elif k == 3:
            out.append(Line("md-contact").t("Maintainer: ").t(f.name()).t(" <").ent(
                m.email(), "EMAIL_ADDRESS", "md").t(">"))
        elif k == 4:
            p, fmt = m.phone(r.choice(["US", "GB", "DE"]))
            out.append(Line("md-contact").t("For takedown requests call ").ent(p, "PHONE_NUMBER",
                                                                              fmt + "-ctx"))
        elif k == 5:
            out.append(Line("prose").t("Collected between ").neg(m.date("iso"), "date").t(
                " and ").neg(m.date("iso"), "date").t(f"; {r.randint(1000, 99999):,} rows."))
        elif k == 6:
            out.append(Line("prose").t("Requires ").neg(f"pyarrow>={m.version()}", "version-pip")
                       .t(" and ").neg(f"fsspec=={m.version()}", "version-pip"))
        else:
            out.append(Line("prose").t(f.paragraph(nb_sentences=2)))
    return out


def math_file(m: Maker, rows: int) -> list[Line]:
    r = m.r
    f = m.fk()
    out = []
    for _ in range(rows):
        a, b, c = r.randint(2, 99), r.randint(2, 60), r.randint(2, 30)
        name = f.first_name()
        q = f"{name} buys {a} boxes with {b} pencils each and gives away {c} boxes. " \
            "How many pencils are left?"
        ans: list[Seg] = [
            "Total: ", (f"{a} * {b} = {a * b}", "N:arithmetic"), " pencils. Given away: ",
            (f"<<{c}*{b}={c * b}>>{c * b}", "N:arithmetic"), ". Left: ",
            (f"{a * b} - {c * b} = {a * b - c * b}", "N:arithmetic"),
            f"\n#### {a * b - c * b}"]
        if r.random() < 0.3:
            big = r.randint(10**4, 10**6)
            ans = ["The fraction is ", (f"{r.randint(10, 99)}/{big}", "N:arithmetic"),
                   " and in MB ", (f"{big * 1024} / 1024 / 1024", "N:arithmetic")]
        out.append(json_line("math", [("question", q), ("answer", ans)]))
    return out


# ------------------------------------------------------------------------------ the corpus

def plan(m: Maker, total: int) -> list[tuple[str, Callable[[], list[Line]]]]:
    """(relative path, generator) for files summing to about `total` lines."""
    s = total / 12_000
    n = lambda x: max(5, int(x * s))  # noqa: E731
    jobs: list[tuple[str, Callable[[], list[Line]]]] = []
    names = {"en": "customers", "de": "kunden", "fr": "clients", "it": "clienti", "ja": "kokyaku"}
    for loc in CRM_LOCALES:
        for i in range(3):
            jobs.append((f"crm/{names[loc]}_{i:02d}.csv",
                         lambda loc=loc: crm_file(m, loc, m.r.randint(n(70), n(130)))))
    for i in range(4):
        jobs.append((f"catalog/books_{i:02d}.csv", lambda: catalog_file(m, n(150))))
    for i, leak in enumerate([None, None, "card", "iban", "ssn", None]):
        jobs.append((f"orders/orders_{i:02d}.csv", lambda leak=leak: orders_file(m, n(150), leak)))
    for i in range(3):
        jobs.append((f"web/access_{i:02d}.csv", lambda: analytics_file(m, n(150))))
    for i in range(4):
        jobs.append((f"metrics/run_{i:02d}.csv", lambda: metrics_file(m, n(150))))
    for i in range(10):
        jobs.append((f"chat/conversations_{i:02d}.jsonl", lambda: chat_file(m, n(180))))
    for i in range(5):
        jobs.append((f"transcripts/calls_{i:02d}.jsonl", lambda: transcript_file(m, n(150))))
    for i in range(10):
        jobs.append((f"logs/train_{i:02d}.txt", lambda: log_file(m, n(270))))
    for i in range(12):
        jobs.append((f"notebooks/analysis_{i:02d}.ipynb",
                     lambda: notebook_file(m, max(2, n(6)))))
    for i in range(4):
        jobs.append((f"docs/references_{i:02d}.md", lambda: citations_file(m, n(100))))
    for i in range(4):
        jobs.append((f"docs/dataset_card_{i:02d}.md", lambda: readme_file(m, n(80))))
    for i in range(3):
        jobs.append((f"math/word_problems_{i:02d}.jsonl", lambda: math_file(m, n(160))))
    return jobs


def build(out: Path, seed: int = 12, lines: int = 12_000) -> dict:
    """Write the corpus under `out/corpus` and the labels to `out/labels.json`; the labels."""
    m = Maker(seed)
    corpus = out / "corpus"
    if corpus.exists():
        for p in sorted(corpus.rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
    labels: dict = {"seed": seed, "lines_asked": lines, "files": {}}
    for rel, gen in plan(m, lines):
        ls = gen()
        assert 0 < len(ls) <= MAX_FILE_LINES, (rel, len(ls))
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        texts = [L.text() for L in ls]
        for t, L in zip(texts, ls, strict=True):
            assert "\n" not in t and "\r" not in t, rel
            for _, s, e, *_ in L.entities + L.negatives:
                assert 0 <= s < e <= len(t)
        path.write_text("\n".join(texts) + "\n", encoding="utf-8", newline="\n")
        if rel.endswith(".ipynb"):
            json.loads(path.read_text(encoding="utf-8"))  # a valid notebook
        labels["files"][rel] = {"n_lines": len(ls),
                                "lines": {str(i + 1): L.label() for i, L in enumerate(ls)}}
    (out / "labels.json").write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    return labels


def summary(labels: dict) -> str:
    files = labels["files"]
    n_lines = sum(f["n_lines"] for f in files.values())
    ents = sum(len(L["entities"]) for f in files.values() for L in f["lines"].values())
    neg_lines = sum(1 for f in files.values() for L in f["lines"].values()
                    if L["negatives"] and not L["entities"])
    return (f"{len(files)} files, {n_lines} lines, {ents} planted values, "
            f"{neg_lines} lines with labelled negatives and no PII")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "pii-eval")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--lines", type=int, default=12_000)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    print(summary(build(a.out, a.seed, a.lines)))


if __name__ == "__main__":
    main()
