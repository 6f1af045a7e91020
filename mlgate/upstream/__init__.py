"""Wrappers of upstream private APIs, one module per API (core: any hook may use them).

Each module here is the only place mlgate touches that private API; tests/hooks/pii/
test_upstream.py fails, naming the name and the version, when an upstream release drops or
changes one.
"""
