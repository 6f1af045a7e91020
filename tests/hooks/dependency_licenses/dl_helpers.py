"""Helpers of the dependency-licenses tests: real `.dist-info` directories on a directory
the tests pass as the environment, and a project (a git-like root with a policy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mlgate.policy import Policy

MIT_TEXT = ("Permission is hereby granted, free of charge, to any person obtaining a copy\n"
            "of this software and associated documentation files (the \"Software\"), to deal\n")
BSD3_TEXT = ("Redistribution and use in source and binary forms, with or without\n"
             "modification, are permitted provided that the following conditions are met:\n"
             "3. Neither the name of the copyright holder nor the names of its contributors\n"
             "   may be used to endorse or promote products derived from this software\n")
APACHE_TEXT = ("                                 Apache License\n"
               "                           Version 2.0, January 2004\n")


def make_dist(site: Path, name: str, version: str = "1.0", *, expression: str | None = None,
              license: str | None = None, classifiers: tuple[str, ...] = (),
              requires: tuple[str, ...] = (), license_files: dict[str, str] | None = None,
              metadata_version: str = "2.4") -> Path:
    """A `<name>-<version>.dist-info` directory as an installer writes it."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = [f"Metadata-Version: {metadata_version}", f"Name: {name}", f"Version: {version}"]
    if expression is not None:
        lines.append(f"License-Expression: {expression}")
    if license is not None:
        lines.append("License: " + license.replace("\n", "\n        "))
    lines += [f"Classifier: {c}" for c in classifiers]
    lines += [f"Requires-Dist: {r}" for r in requires]
    for rel, text in (license_files or {}).items():
        lines.append(f"License-File: {rel}")
        target = info / "licenses" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (info / "METADATA").write_text("\n".join(lines) + "\n\nA long description.\n",
                                   encoding="utf-8")
    (info / "INSTALLER").write_text("pip\n", encoding="utf-8")
    return info


def project(root: Path, *, policy: str = "", requirements: str | None = None,
            pyproject: str | None = None, site: str = "site") -> Path:
    """A project root (a `.git` marks it) whose policy reads the environment at `site`."""
    (root / ".git").mkdir(exist_ok=True)
    (root / site).mkdir(exist_ok=True)
    table = f'[dependency-licenses]\nenvironment = ["{site}"]\n'
    body = policy.replace("[dependency-licenses]\n", table, 1) \
        if "[dependency-licenses]" in policy else f"{policy}\n{table}"
    (root / "mlgate.toml").write_text(body, encoding="utf-8")
    if requirements is not None:
        (root / "requirements.txt").write_text(requirements, encoding="utf-8")
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return root


def run_check(cli: Any, root: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """`mlgate dependency-licenses --format json ARGS` in `root`: (exit, report, stderr)."""
    import os

    here = Path.cwd()
    os.chdir(root)
    try:
        code, out, err = cli("dependency-licenses", "--format", "json", *args)
    finally:
        os.chdir(here)
    assert "Traceback" not in err
    return code, (json.loads(out) if out.strip() else {}), err


def by_rule(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in report.get("findings", []):
        out.setdefault(f["rule"].split("/", 1)[1], []).append(f)
    return out


def policy_at(root: Path) -> Policy:
    from mlgate.policy import load

    return load(root / "mlgate.toml")
