"""Fixtures of the license-headers hook's tests: this directory goes on sys.path, so that the
modules here import `lh_helpers`."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))
