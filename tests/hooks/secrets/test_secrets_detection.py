"""detect-ml-secrets: detection, quietness, suppression, never-leak and bad input.

Every credential here is generated at run time (mlgate.fakes); none is committed.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpus import CONTEXTS, write_repo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from secrets_helpers import rules, run, scan

from mlgate.fakes import FAKES, pem_private_key
from mlgate.hooks.secrets.scanner import Scanner
from mlgate.policy import Policy

RNG = random.Random(20261128)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list, dict]:
    root = tmp_path_factory.mktemp("repo")
    planted = write_repo(root, seed=7)
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    out = run("secrets", "--format", "json", *files, cwd=root)
    assert out.returncode == 1, out.stderr
    return root, planted, json.loads(out.stdout)


def test_recall_over_every_provider_and_context(corpus):
    root, planted, doc = corpus
    found = {(f["path"], line) for f in doc["findings"] for line in f["lines"]}
    missed = [p for p in planted if (p.path, p.line) not in found]
    recall = 1 - len(missed) / len(planted)
    assert len(planted) > 300
    assert recall >= 0.95, missed
    # the right rule, not just any rule, for the providers with a fixed format
    by_place = {(f["path"], line): f["rule"] for f in doc["findings"] for line in f["lines"]}
    wrong = [p for p in planted if p.rule != "generic-api-key"
             and by_place.get((p.path, p.line)) not in (f"secrets/{p.rule}",
                                                         "secrets/generic-api-key")]
    assert len(wrong) <= len(planted) * 0.05, wrong


def test_quiet_on_hashes_uuids_placeholders_and_images(corpus):
    root, planted, doc = corpus
    places = {(p.path, p.line) for p in planted}
    false_positives = [f for f in doc["findings"]
                       if not any((f["path"], line) in places for line in f["lines"])]
    assert len(false_positives) <= 2, false_positives
    clean = [f for f in doc["findings"] if not f["path"].startswith("planted/")]
    assert clean == []


@pytest.mark.parametrize("fake", FAKES, ids=lambda f: f"{f.rule}-{f.env}")
def test_each_provider_as_a_keyword_argument(tmp_path, fake):
    """detect-secrets' is_indirect_reference drops `f(..., key="…")` lines; we must not."""
    token = fake.make(RNG)
    svc = fake.env.split("_")[0].lower()
    doc = scan(tmp_path, "train.py", f'client = {svc}.Client(api_key="{token}", retries=3)\n')
    assert len(doc["findings"]) == 1, doc
    f = doc["findings"][0]
    assert f["rule"] in (f"secrets/{fake.rule}", "secrets/generic-api-key")
    assert (f["line"], f["column"]) == (1, 1 + doc_col(token, "train.py", tmp_path))


def doc_col(token: str, name: str, tmp_path: Path) -> int:
    return (tmp_path / name).read_text().index(token)


def test_hub_call_with_token_kwarg_is_found(tmp_path):
    token = FAKES[0].make(RNG)
    doc = scan(tmp_path, "load.py",
               f'm = AutoModel.from_pretrained("org/m", revision="main", token="{token}")\n')
    assert rules(doc) == ["secrets/huggingface-token"]
    assert doc["findings"][0]["excerpt"] == f"hf_...({len(token)} chars)" or \
        doc["findings"][0]["excerpt"].startswith("hf_")


def test_modern_openai_keys_are_all_found(tmp_path):
    keys = [next(f for f in FAKES if f.rule == "openai-api-key").make(RNG) for _ in range(40)]
    doc = scan(tmp_path, "keys.env", "".join(f"OPENAI_API_KEY={k}\n" for k in keys))
    assert rules(doc) == ["secrets/openai-api-key"] * 40


def test_github_tokens_are_hashed_whole(tmp_path):
    gh = next(f for f in FAKES if f.rule == "github-token")
    a, b = gh.make(RNG), gh.make(RNG)
    doc = scan(tmp_path, "ci.sh", f"export GITHUB_TOKEN={a}\nexport GH_TOKEN={b}\n")
    fps = {f["fingerprint"] for f in doc["findings"]}
    assert len(fps) == 2
    # baseline the first; adding the second token must still block
    (tmp_path / "ci.sh").write_text(f"export GITHUB_TOKEN={a}\n")
    base = run("baseline", "--reason", "rotated already", "ci.sh", cwd=tmp_path)
    assert base.returncode == 0, base.stderr
    assert run("secrets", "ci.sh", cwd=tmp_path).returncode == 0
    (tmp_path / "ci.sh").write_text(f"export GITHUB_TOKEN={a}\nexport GH_TOKEN={b}\n")
    out = run("secrets", "ci.sh", cwd=tmp_path)
    assert out.returncode == 1 and "ci.sh:2:" in out.stdout


def test_private_keys_are_hashed_whole_and_multiline(tmp_path):
    k1, k2 = pem_private_key(RNG), pem_private_key(RNG)
    doc = scan(tmp_path, "keys.txt", f"first\n{k1}\nsecond\n{k2}\n")
    assert rules(doc) == ["secrets/private-key"] * 2
    assert [f["line"] for f in doc["findings"]] == [2, 2 + k1.count("\n") + 2]
    assert doc["findings"][0]["fingerprint"] != doc["findings"][1]["fingerprint"]
    # a documentation stub with no key body is not a finding
    doc = scan(tmp_path, "README.md", "-----BEGIN RSA PRIVATE KEY-----\n...\n"
               "-----END RSA PRIVATE KEY-----\n")
    assert rules(doc) == []


@pytest.mark.parametrize("line", [
    "HF_TOKEN=hf_" + "x" * 34,
    'api_key = "<YOUR_KEY>"',
    "token: ${HF_TOKEN}",
    "      HF_TOKEN: ${{ secrets.HF_TOKEN }}",
    'token = os.environ["HF_TOKEN"]',
    'OPENAI_API_KEY = "sk-..."',
    "aws_access_key_id = AKIA" + "IOSFODNN7" + "EXAMPLE",
    "revision: 8f0c7b9e2d1a4c3b5e6f7a8b9c0d1e2f3a4b5c6d",
    "sha256: " + "9" * 8 + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"[8:],
    'run_id = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"',
    "tokenizer_name = 'meta-llama/Llama-3.1-8B-Instruct'",
    "max_tokens = 4096",
    'secret_name = "projects/demo/secrets/hf-token/versions/3"',
    "postgresql://user:${DB_PASSWORD}@localhost/db",
    "password = getpass.getpass()",
])
def test_placeholders_and_references_are_quiet(tmp_path, line):
    assert rules(scan(tmp_path, "conf.py", line + "\n")) == []


def test_notebook_sources_and_outputs_at_ipynb_lines_images_skipped(tmp_path, corpus):
    from corpus import notebook
    hf = FAKES[0]
    t1, t2 = hf.make(RNG), hf.make(RNG)
    text = notebook(RNG, [("HF_TOKEN", t1), ("HF_TOKEN", t2)], image_bytes=50_000)
    doc = scan(tmp_path, "nb.ipynb", text)
    lines = text.splitlines()
    expected = [next(n for n, t in enumerate(lines, 1) if tok in t) for tok in (t1, t2)]
    assert [f["line"] for f in doc["findings"]] == expected
    assert rules(doc) == ["secrets/huggingface-token"] * 2


def test_truncated_and_invalid_notebooks_are_still_scanned(tmp_path):
    from corpus import notebook
    token = FAKES[0].make(RNG)
    text = notebook(RNG, [("HF_TOKEN", token)])
    doc = scan(tmp_path, "cut.ipynb", text[: text.index(token) + len(token) + 5])
    assert rules(doc) == ["secrets/huggingface-token"]
    doc = scan(tmp_path, "bad.ipynb", "{not json at all")
    assert doc["findings"] == [] and doc["errors"] == []


def test_pragmas_suppress(tmp_path):
    t = FAKES[0].make(RNG)
    src = (f'a = "{t}"  # pragma: allowlist secret\n'
           f"# pragma: allowlist nextline secret\nb = '{t}'\n"
           f'c = "{t}"  # mlgate: allow secrets/huggingface-token -- revoked test token\n'
           f'd = "{t}"\n')
    doc = scan(tmp_path, "x.py", src)
    assert [f["lines"] for f in doc["findings"]] == [[5]]


def test_detect_secrets_baseline_is_honoured(tmp_path):
    aws = next(f for f in FAKES if f.rule == "aws-access-key").make(RNG)
    hf = FAKES[0].make(RNG)
    (tmp_path / "cfg.py").write_text(f'AWS_KEY = "{aws}"\n')
    ds = subprocess.run([str(Path(sys.executable).parent / "detect-secrets"), "scan", "cfg.py"],
                        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ds.returncode == 0, ds.stderr
    (tmp_path / ".secrets.baseline").write_text(ds.stdout)
    assert "AWS Access Key" in ds.stdout
    assert run("secrets", "cfg.py", cwd=tmp_path).returncode == 0
    (tmp_path / "cfg.py").write_text(f'AWS_KEY = "{aws}"\nHF = "{hf}"\n')
    out = run("secrets", "cfg.py", cwd=tmp_path)
    assert out.returncode == 1 and "cfg.py:2:" in out.stdout and "cfg.py:1:" not in out.stdout
    # and it can be switched off in the policy
    (tmp_path / "mlgate.toml").write_text('[secrets]\ndetect-secrets-baseline = ""\n')
    assert "cfg.py:1:" in run("secrets", "cfg.py", cwd=tmp_path).stdout


def test_output_never_contains_the_secret(tmp_path):
    tokens = [f.make(RNG) for f in FAKES]
    body = "".join(f"{f.env}={t}\n" for f, t in zip(FAKES, tokens, strict=True))
    (tmp_path / "all.env").write_text(body)
    for fmt in ("text", "json", "sarif"):
        out = run("secrets", "--format", fmt, "all.env", cwd=tmp_path)
        assert out.returncode == 1
        for t in tokens:
            assert t not in out.stdout and t[-12:] not in out.stdout
    run("baseline", "all.env", cwd=tmp_path)
    baseline = (tmp_path / ".mlgate-baseline.json").read_text()
    assert not any(t[-12:] in baseline for t in tokens)


def test_policy_disable_allowlist_and_entropy(tmp_path):
    t = FAKES[0].make(RNG)
    (tmp_path / "a.py").write_text(f'HF = "{t}"\nx = "{"ab3F9" * 8}"\n')
    (tmp_path / "mlgate.toml").write_text('[secrets]\ndisable = ["secrets/huggingface-token"]\n')
    assert run("secrets", "a.py", cwd=tmp_path).returncode == 0
    (tmp_path / "mlgate.toml").write_text(f'[secrets]\nallowlist = ["{t}"]\n')
    assert run("secrets", "a.py", cwd=tmp_path).returncode == 0
    (tmp_path / "mlgate.toml").write_text('[secrets]\ndisable = ["secrets/no-such-rule"]\n')
    out = run("secrets", "a.py", cwd=tmp_path)
    assert out.returncode == 2 and "no-such-rule" in out.stderr


def test_entropy_plugins_are_opt_in(tmp_path):
    value = "".join(RNG.choice("0123456789abcdef") for _ in range(48))
    (tmp_path / "c.py").write_text(f'digest = "{value}"\n')
    assert run("secrets", "c.py", cwd=tmp_path).returncode == 0
    (tmp_path / "mlgate.toml").write_text("[secrets]\nentropy = true\n")
    out = run("secrets", "c.py", cwd=tmp_path)
    assert out.returncode == 1 and "high-entropy-hex" in out.stdout


def test_bad_input_gives_a_clear_result_per_file(tmp_path):
    t = FAKES[0].make(RNG)
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02" * 1000)
    (tmp_path / "latin.py").write_bytes(b"caf\xe9 = 1\nHF = '" + t.encode() + b"'\n\xff\xfe\xfd\n")
    (tmp_path / "utf16.py").write_bytes(f"HF = '{t}'\n".encode("utf-16"))
    (tmp_path / "link.py").symlink_to(tmp_path / "latin.py")
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "adir").mkdir()
    out = run("secrets", "--format", "json", "blob.bin", "latin.py", "utf16.py", "link.py",
              "dangling.py", "adir", "missing.py", cwd=tmp_path)
    assert "Traceback" not in out.stderr
    doc = json.loads(out.stdout)
    by_path = {(f["path"], f["rule"]) for f in doc["findings"]}
    assert ("latin.py", "secrets/huggingface-token") in by_path
    assert ("utf16.py", "secrets/huggingface-token") in by_path
    assert ("blob.bin", "secrets/not-scanned") in by_path
    assert ("link.py", "secrets/not-scanned") in by_path
    errors = {e["path"]: e["message"] for e in doc["errors"]}
    assert set(errors) == {"adir", "missing.py"}
    assert out.returncode == 2


def test_huge_single_line_is_bounded(tmp_path):
    t = FAKES[0].make(RNG)
    blob = ("ab1=" + "Zx9_" * 2_500_000)[:10_000_000] + f" token={t}"
    (tmp_path / "huge.txt").write_text(blob)
    start = time.perf_counter()
    out = run("secrets", "--format", "json", "huge.txt", cwd=tmp_path)
    elapsed = time.perf_counter() - start
    assert elapsed < 30
    doc = json.loads(out.stdout)
    assert "secrets/huggingface-token" in rules(doc)
    (tmp_path / "mlgate.toml").write_text("[secrets]\nmax-bytes = 1000000\n")
    doc = json.loads(run("secrets", "--format", "json", "huge.txt", cwd=tmp_path).stdout)
    assert rules(doc) == ["secrets/file-truncated"]
    assert doc["findings"][0]["severity"] == "warning"


_tokens = st.sampled_from(FAKES).map(lambda f: f.make(random.Random(0)))
_noise = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                 max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_noise, _tokens, st.sampled_from(list(CONTEXTS))), max_size=12))
def test_prefilter_equals_confirming_every_line(parts):
    """The cheap pass never hides what the confirmers alone would report on every line."""
    text = "\n".join(parts) + "\n" + " ".join(parts)
    scanner = Scanner(Policy())
    fast = scanner.scan_text(text, "f.py")
    full = []
    for lineno, line, _ in scanner.candidate_lines(text, all_lines=True):
        full.extend(scanner.confirm(line, lineno, "f.py"))
    from mlgate.hooks.secrets.scanner import _dedupe
    assert fast == _dedupe(h for h in full if not h.rule.endswith("private-key")) or \
        "PRIVATE KEY" in text


def test_detect_secrets_min_widths_match_the_installed_plugins():
    from mlgate.hooks.secrets.ds_plugins import MIN_WIDTH, PLUGINS, load
    from mlgate.hooks.secrets.scanner import min_width
    plugins, _ = load()
    assert set(MIN_WIDTH) == set(PLUGINS)
    for cls, width in MIN_WIDTH.items():
        assert min_width(plugins[cls].denylist) == width, cls


def test_a_clean_file_with_keywords_does_not_import_detect_secrets(tmp_path):
    (tmp_path / "tok.py").write_text(
        "tokenizer = AutoTokenizer.from_pretrained(name)\nkey = jax.random.PRNGKey(0)\n"
        "max_tokens = 512\nsecret_name = 'prod/hf'\n")
    code = ("import sys\nfrom mlgate.cli import main\ntry:\n    main(['secrets', 'tok.py'])\n"
            "except SystemExit as e:\n    print('EXIT', e.code)\n"
            "print('DS', any(m.startswith('detect_secrets') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert "EXIT 0" in out.stdout and "DS False" in out.stdout, out.stdout + out.stderr
