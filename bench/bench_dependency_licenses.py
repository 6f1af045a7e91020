"""`mlgate dependency-licenses` vs pip-licenses on the same generated environment.

A virtual environment (no pip) gets N distributions whose metadata says their license the
ways PyPI packages do — PEP 639 `License-Expression`, free text in `License`, trove
classifiers only, a license file only, an ambiguous `BSD`, nothing — each with a known
answer. Both tools read the same environment in the same run, alternating:

- wall time of a whole run (`mlgate dependency-licenses --env VENV -r requirements.txt` and
  `pip-licenses --python VENV/bin/python --format json`), median of --runs;
- how many licenses each reports as the right SPDX expression;
- a copyleft gate, per package: mlgate with `[licenses] deny = ["GPL-*", "AGPL-*"]`, and
  pip-licenses as its users gate (`--partial-match --fail-on "GPL;AGPL"`, one run per package,
  its exit code): packages caught, missed, wrongly blocked (LGPL), and unknown ones flagged.

    python bench/bench_dependency_licenses.py [--packages 300] [--runs 5]

Needs `pip install pip-licenses` (not a dependency of mlgate). Raw results:
bench/out/dependency-licenses-results.json.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import OUT, machine, median, package_version, save_json, table, tool

GPL3 = "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n"
LGPL21 = "GNU LESSER GENERAL PUBLIC LICENSE\nVersion 2.1, February 1999\n"
MIT = "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
BSD3 = ("Redistribution and use in source and binary forms, with or without modification\n"
        "Neither the name of the copyright holder nor the names of its contributors may be\n"
        "used to endorse or promote products derived from this software\n")
APACHE = "Apache License\nVersion 2.0, January 2004\n"

# (how the metadata says it, headers, license file text, the right SPDX answer or None)
STYLES: list[tuple[str, dict[str, list[str]], str | None, str | None]] = [
    ("expression", {"License-Expression": ["MIT"]}, None, "MIT"),
    ("expression", {"License-Expression": ["Apache-2.0"]}, None, "Apache-2.0"),
    ("expression", {"License-Expression": ["MIT OR Apache-2.0"]}, None, "MIT OR Apache-2.0"),
    ("expression", {"License-Expression": ["GPL-3.0-or-later"]}, None, "GPL-3.0-or-later"),
    ("expression", {"License-Expression": ["LGPL-3.0-only"]}, None, "LGPL-3.0-only"),
    ("expression", {"License-Expression": ["MIT OR GPL-2.0-only"]}, None,
     "MIT OR GPL-2.0-only"),
    ("free text", {"License": ["MIT License"]}, None, "MIT"),
    ("free text", {"License": ["Apache 2.0"]}, None, "Apache-2.0"),
    ("free text", {"License": ["GPLv3"]}, None, "GPL-3.0-only"),
    ("free text", {"License": ["new BSD"]}, None, "BSD-3-Clause"),
    ("free text", {"License": ["LGPLv3"]}, None, "LGPL-3.0-only"),
    ("classifiers", {"Classifier": ["License :: OSI Approved :: MIT License"]}, None, "MIT"),
    ("classifiers", {"Classifier": ["License :: OSI Approved :: Apache Software License"]},
     None, "Apache-2.0"),
    ("classifiers", {"Classifier": [
        "License :: OSI Approved :: GNU General Public License v3 (GPLv3)"]}, None,
     "GPL-3.0-only"),
    ("classifiers", {"Classifier": [
        "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)"]}, None,
     "LGPL-3.0-only"),
    ("classifiers", {"Classifier": [
        "License :: OSI Approved :: GNU Affero General Public License v3"]}, None,
     "AGPL-3.0-only"),
    ("license file", {"License-File": ["LICENSE"]}, MIT, "MIT"),
    ("license file", {"License-File": ["LICENSE"]}, BSD3, "BSD-3-Clause"),
    ("license file", {"License-File": ["LICENSE"]}, APACHE, "Apache-2.0"),
    ("license file", {"License-File": ["COPYING"]}, GPL3, "GPL-3.0-only"),
    ("license file", {"License-File": ["COPYING"]}, LGPL21, "LGPL-2.1-only"),
    ("ambiguous", {"License": ["BSD"], "Classifier": [
        "License :: OSI Approved :: BSD License"]}, None, None),
    ("ambiguous", {"License": ["GPL"]}, None, None),
    ("nothing", {}, None, None),
]


def build(root: Path, count: int, seed: int) -> tuple[Path, list[dict[str, object]]]:
    if root.exists():
        shutil.rmtree(root)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python3*/site-packages"))
    rng = random.Random(seed)
    truth: list[dict[str, object]] = []
    for i in range(count):
        style, headers, text, answer = STYLES[i % len(STYLES)] if i < len(STYLES) else \
            rng.choice(STYLES)
        name = f"pkg{i:04d}"
        info = site / f"{name}-1.0.dist-info"
        (info / "licenses").mkdir(parents=True)
        lines = ["Metadata-Version: 2.4", f"Name: {name}", "Version: 1.0"]
        for key, values in headers.items():
            lines += [f"{key}: {v}" for v in values]
        if text is not None:
            (info / "licenses" / headers["License-File"][0]).write_text(text, "utf-8")
        (info / "METADATA").write_text("\n".join(lines) + "\n\nDescription.\n", "utf-8")
        truth.append({"name": name, "style": style, "answer": answer})
    (root / "requirements.txt").write_text("".join(f"{t['name']}\n" for t in truth), "utf-8")
    return venv, truth


def timed(argv: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, p


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--packages", type=int, default=300)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--gate-packages", type=int, default=48,
                    help="packages judged one by one by pip-licenses in the gate comparison")
    ap.add_argument("--seed", type=int, default=20261202)
    args = ap.parse_args()
    root = OUT / "dependency-licenses"
    venv, truth = build(root, args.packages, args.seed)
    python = str(venv / "bin" / "python")
    (root / "mlgate.toml").write_text('[licenses]\ndeny = ["GPL-*", "AGPL-*"]\n', "utf-8")
    (root / ".git").mkdir(exist_ok=True)
    mlgate_cmd = [tool("mlgate"), "dependency-licenses", "--env", str(venv), "--format",
                  "json", "-r", "requirements.txt"]
    pipl_cmd = [tool("pip-licenses"), "--python", python, "--format", "json"]

    times: dict[str, list[float]] = {"mlgate": [], "pip-licenses": []}
    outputs: dict[str, str] = {}
    for _ in range(args.runs):
        for label, cmd in (("mlgate", mlgate_cmd), ("pip-licenses", pipl_cmd)):
            seconds, p = timed(cmd, root)
            if p.returncode not in (0, 1):
                raise SystemExit(f"{label} exited {p.returncode}: {p.stderr[-2000:]}")
            times[label].append(seconds)
            outputs[label] = p.stdout

    # the right SPDX answer, per tool
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from mlgate import licensing
    from mlgate.hooks.dependency_licenses.installed import Environment
    from mlgate.hooks.dependency_licenses.normalize import resolve

    env = Environment([next(venv.glob("lib/python3*/site-packages"))])
    pipl = {d["Name"]: d["License"] for d in json.loads(outputs["pip-licenses"])}

    def same(said: str | None, answer: object) -> bool:
        if answer is None or said is None:
            return said is None and answer is None
        parsed = licensing.parse(said)
        return parsed.valid and parsed.normalized == licensing.parse(str(answer)).normalized

    by_style: dict[str, list[int]] = {}
    for t in truth:
        dist = env.get(str(t["name"]))
        assert dist is not None
        ours = resolve(dist).expression
        theirs = pipl.get(str(t["name"]))
        theirs = None if theirs in (None, "UNKNOWN") else theirs
        row = by_style.setdefault(str(t["style"]), [0, 0, 0])
        row[0] += 1
        row[1] += same(ours, t["answer"])
        row[2] += same(theirs, t["answer"]) if t["answer"] is not None else \
            theirs is None
    rows = [(style, n, f"{a} ({a / n:.0%})", f"{b} ({b / n:.0%})")
            for style, (n, a, b) in by_style.items()]

    # the copyleft gate
    report = json.loads(outputs["mlgate"])
    blocked = {f["key"]: f["rule"].split("/")[1] for f in report["findings"]
               if f["severity"] == "error"}
    gate = {"mlgate": {"caught": 0, "missed": 0, "false alarm": 0, "unknown flagged": 0},
            "pip-licenses": {"caught": 0, "missed": 0, "false alarm": 0, "unknown flagged": 0}}
    judged = truth[:args.gate_packages]
    details: list[dict[str, object]] = []
    for t in judged:
        answer = t["answer"]
        copyleft = answer is not None and not licensing.verdict(
            licensing.parse(str(answer)), _DenyCopyleft()).allowed
        p = subprocess.run([*pipl_cmd[:3], "--packages", str(t["name"]), "--partial-match",
                            "--fail-on", "GPL;AGPL"], capture_output=True, text=True,
                           check=False, cwd=root)
        details.append({**t, "pip-licenses says": pipl.get(str(t["name"])),
                        "mlgate blocks": str(t["name"]) in blocked,
                        "pip-licenses blocks": p.returncode == 1})
        for label, flagged in (("mlgate", str(t["name"]) in blocked),
                               ("pip-licenses", p.returncode == 1)):
            g = gate[label]
            if answer is None:
                g["unknown flagged"] += flagged
            elif copyleft:
                g["caught" if flagged else "missed"] += 1
            elif flagged:
                g["false alarm"] += 1
    copyleft_n = sum(1 for t in judged if t["answer"] is not None and not licensing.verdict(
        licensing.parse(str(t["answer"])), _DenyCopyleft()).allowed)
    unknown_n = sum(1 for t in judged if t["answer"] is None)

    results = {
        "machine": machine(),
        "versions": {"pip-licenses": package_version("pip-licenses"),
                     "mlgate": package_version("mlgate")},
        "packages": args.packages, "runs": args.runs,
        "seconds": times, "median": {k: median(v) for k, v in times.items()},
        "spdx_by_style": by_style, "gate": gate, "gate_packages": len(judged),
        "gate_details": details,
        "gate_copyleft": copyleft_n, "gate_unknown": unknown_n,
    }
    save_json(OUT / "dependency-licenses-results.json", results)
    print(f"## {args.packages} distributions, median of {args.runs} runs\n")
    print(table(["tool", "median wall time", "runs"],
                [(k, f"{median(v):.3f} s", ", ".join(f"{x:.2f}" for x in v))
                 for k, v in times.items()]))
    print("\n## The right SPDX expression, by how the metadata says it\n")
    print(table(["metadata", "packages", "mlgate", "pip-licenses"], rows))
    print(f"\n## Copyleft gate on {len(judged)} packages ({copyleft_n} GPL/AGPL, "
          f"{unknown_n} unknown)\n")
    print(table(["tool", *gate["mlgate"]], [(k, *v.values()) for k, v in gate.items()]))
    print(f"\nload average (1 min) at the end: {results['machine']['load_average_1min_at_end']}")


class _DenyCopyleft:
    """A stand-in Policy for licensing.verdict: deny GPL-* and AGPL-*."""

    def section(self, name: str) -> dict[str, list[str]]:
        return {"allow": [], "deny": ["GPL-*", "AGPL-*"]}


if __name__ == "__main__":
    main()
