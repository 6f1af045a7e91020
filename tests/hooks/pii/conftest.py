"""Fixtures of the pii hook's tests. This directory goes on sys.path, as tests/ does (pytest
puts a conftest's directory there): the modules here import `pii_helpers`, and
tests/test_compiled.py imports `make_text` from test_pii_parity (when the whole suite runs,
tests/hooks/ is collected before it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from faker import Faker

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from pii_helpers import DEFAULT  # noqa: E402

from mlgate.hooks.pii.engine import PiiDetector  # noqa: E402


@pytest.fixture(scope="module")
def det() -> PiiDetector:
    return PiiDetector(DEFAULT)


@pytest.fixture(scope="module")
def fake() -> Faker:
    f = Faker(["en_US"])
    Faker.seed(1234)
    return f
