"""pii-in-data-samples: mlgate's precision rules (precision.py), each on the negatives it drops
and on the positives that must still be found, and the `[pii] precision-off` switch.

Every PII value is generated at run time (Faker, or built with a valid checksum); nothing
realistic is committed.
"""

from __future__ import annotations

import random

import pytest
from faker import Faker
from pii_helpers import ents, luhn_complete, pol

from mlgate.errors import MlgateError
from mlgate.hooks.pii import precision
from mlgate.hooks.pii.engine import PiiDetector
from mlgate.policy import Policy


@pytest.fixture(scope="module")
def on() -> PiiDetector:
    return PiiDetector(Policy())


@pytest.fixture(scope="module")
def off() -> PiiDetector:
    return PiiDetector(pol(**{"precision-off": list(precision.NAMES)}))


def _ssn(rng: random.Random) -> str:
    return f"{rng.randrange(100, 666)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}"


# (rule, text, key, entity): found with the rules off, dropped with them on
NEGATIVES = [
    ("phone-not-number", "5.900.426,12 €", "Umsatz", "PHONE_NUMBER"),
    ("phone-not-number", "19.07.2018", "Letzter Kontakt", "PHONE_NUMBER"),
    ("phone-not-number", "Mozilla/5.0 Chrome/126.0.6487.92 Safari/537.36", None, "PHONE_NUMBER"),
    ("phone-not-number", "steps 11610/11610 done 2124567890/2124567891", None, "PHONE_NUMBER"),
    ("phone-not-number", "events.out.tfevents.1712345678.gpu-node.2139611.0", None,
     "PHONE_NUMBER"),
    ("phone-not-number", "https://example.org/item/2124567890/view", None, "PHONE_NUMBER"),
    ("phone-shape", "123.456.123.456", None, "PHONE_NUMBER"),
    ("key-not-pii", "978-2-25-918994-3", "isbn", "PHONE_NUMBER"),
    ("ip-not-address", "Enzyme EC 7.7.6.129 kinetics.", None, "IP_ADDRESS"),
    ("ip-not-address", "x = arr[1::2]", None, "IP_ADDRESS"),
    ("ip-not-address", "Using transformers 1.4.2.83, torch 2.0.1+cu124", None, "IP_ADDRESS"),
    ("ip-not-address", "mujoco_py-2.1.2.14 installed", None, "IP_ADDRESS"),
    # (Presidio itself already rejects the 000 and 666 areas, group 00 and serial 0000)
    ("ssn-unissuable", "ref 912-12-3456", None, "US_SSN"),
    ("ssn-unissuable", "ref 987-65-4321", None, "US_SSN"),
    ("email-placeholder", "something like a@b.com in the config", None, "EMAIL_ADDRESS"),
    ("email-placeholder", "write to user@domain.com", None, "EMAIL_ADDRESS"),
    ("email-placeholder", "numpy=array([b'a@b.com', b'c@d.com'])", None, "EMAIL_ADDRESS"),
    ("email-placeholder", "Delivered-To: zzzz@spamassassin.taint.org", None, "EMAIL_ADDRESS"),
    ("phone-not-number", "digits = '0123456789'", None, "PHONE_NUMBER"),
    ("phone-not-number", "<<1500 - 135 - 141=1224>>", None, "PHONE_NUMBER"),
    ("ip-not-address", "x = a[::2100]", None, "IP_ADDRESS"),
    ("ip-not-address", "nameserver 1.1.1.1", None, "IP_ADDRESS"),
]


@pytest.mark.parametrize(("rule", "text", "key", "entity"), NEGATIVES)
def test_rule_drops_its_negatives(on: PiiDetector, off: PiiDetector, rule: str, text: str,
                                  key: str | None, entity: str) -> None:
    if entity not in ents(off.results(text, key)):
        pytest.fail("not confirmed by the recognizers: the case tests no rule")
    assert entity not in ents(on.results(text, key))
    # the named rule alone drops it, and switching it off (alone) brings it back when no
    # other rule covers it
    only = PiiDetector(pol(**{"precision-off": [n for n in precision.NAMES if n != rule]}))
    assert entity not in ents(only.results(text, key))


def test_card_and_ssn_inside_other_values(on: PiiDetector) -> None:
    rng = random.Random(5)
    card = luhn_complete("4", 16, rng)
    grouped = " ".join(card[i:i + 4] for i in range(0, 16, 4))
    assert "CREDIT_CARD" not in ents(on.results(f"AT38 {grouped}", "settlement_ref"))
    assert "CREDIT_CARD" not in ents(on.results(f"tid={card}"))
    assert "US_SSN" not in ents(on.results(f"ISBN 978-{_ssn(rng)}-2"))
    # still found: a card on its own, in a column or in text
    assert "CREDIT_CARD" in ents(on.results(grouped, "card"))
    assert "CREDIT_CARD" in ents(on.results(f"my card is {grouped}"))


POSITIVES_TEXT = ["call me at {v}", "my number is {v}", "you can reach me on {v}",
                  "Tel.: {v}", "Telefon {v}", "téléphone : {v}", "PLEASE HELP {v}"]


def test_phones_people_write_stay_found(on: PiiDetector) -> None:
    import phonenumbers
    from phonenumbers import PhoneNumberFormat as F

    rng = random.Random(12)
    misses = []
    for region in ("US", "GB", "DE", "FR", "IN"):
        fk = Faker({"US": "en_US", "GB": "en_GB", "DE": "de_DE", "FR": "fr_FR",
                    "IN": "en_IN"}[region])
        fk.seed_instance(rng.randrange(10**6))
        n = 0
        while n < 15:
            try:
                pn = phonenumbers.parse(fk.phone_number(), region)
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(pn):
                continue
            n += 1
            for fmt in (F.NATIONAL, F.INTERNATIONAL, F.E164):
                v = phonenumbers.format_number(pn, fmt)
                for tpl in (rng.choice(POSITIVES_TEXT), "{v}"):
                    for key in (None, "phone", "Telefon", "電話"):
                        text = tpl.format(v=v)
                        if "PHONE_NUMBER" not in ents(on.results(text, key)) and \
                                (tpl != "{v}" or key or fmt != F.NATIONAL):
                            misses.append((text, key))
    assert len(misses) <= 3, misses[:20]


def test_real_positives_stay_found(on: PiiDetector) -> None:
    f = Faker()
    f.seed_instance(3)
    email = f"{f.user_name()}@{f.free_email_domain()}"
    assert "EMAIL_ADDRESS" in ents(on.results(f"contact {email}"))
    assert "EMAIL_ADDRESS" in ents(on.results("j@hey.com wrote"))  # short, but not a placeholder
    assert "IP_ADDRESS" in ents(on.results("Received: from mail (host [8.8.4.77]) by mx"))
    assert "IP_ADDRESS" in ents(on.results("client 23.45.67.89 connected"))
    assert "IP_ADDRESS" in ents(on.results("user logged in using 23.45.67.89 today"))
    assert "US_SSN" in ents(on.results(f"ssn {_ssn(random.Random(9))}", "ssn"))


def test_precision_off_unknown_name_is_a_policy_error() -> None:
    with pytest.raises(MlgateError, match="precision-off"):
        Policy({"pii": {"precision-off": ["no-such-rule"]}}).section("pii")


def test_precision_off_reports_what_the_rule_drops() -> None:
    text = "something like a@b.com in the config"
    assert "EMAIL_ADDRESS" not in ents(PiiDetector(Policy()).results(text))
    det = PiiDetector(pol(**{"precision-off": ["email-placeholder"]}))
    assert "EMAIL_ADDRESS" in ents(det.results(text))
    # without the default allowlist, no precision rule runs either
    assert "EMAIL_ADDRESS" in ents(PiiDetector(pol(**{"default-allowlist": False})).results(text))


@pytest.mark.parametrize(("key", "phone", "not_pii"), [
    ("phone", True, False), ("Telefon", True, False), ("téléphone", True, False),
    ("telefono", True, False), ("電話", True, False), ("Handy", True, False),
    ("mobile_no", True, False), ("order_phone", True, False), ("Letzter Kontakt", True, True),
    ("isbn", False, True), ("Umsatz", False, True), ("order_ref", False, True),
    ("plz", False, True), ("user_agent", False, True), ("customer_id", False, True),
    ("customer_ssn", False, False), ("message", False, False), ("text", False, False),
])
def test_key_names(key: str, phone: bool, not_pii: bool) -> None:
    assert precision.phone_key(key) is phone
    assert precision.not_pii_key(key) is not_pii


def test_numbers_under_a_phone_key_in_another_language_are_checked(on: PiiDetector) -> None:
    import phonenumbers

    pn = phonenumbers.example_number_for_type("JP", phonenumbers.PhoneNumberType.MOBILE)
    e164 = phonenumbers.format_number(pn, phonenumbers.PhoneNumberFormat.E164)
    assert "PHONE_NUMBER" in ents(on.results(e164, "電話"))
    assert "PHONE_NUMBER" not in ents(on.results(e164, "売上"))  # a plain number elsewhere
