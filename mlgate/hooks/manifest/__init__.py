"""artifact-manifest: an integrity manifest of a release's artifacts, and signatures.

`check.py` is the hook's contract (`mlgate manifest verify`); `verify.py` compares files with
the manifest (what the check and `create` share); `tree.py` lists a release's artifacts;
`signing.py` wraps OpenSSF model-signing (`mlgate sign`, `mlgate verify-signature`, the
`signing` extra); `cli.py` the commands; `config.py` the `[manifest]` policy table; `rules.py`
the rule ids; `demo.py` the demo's stale entry. The file format itself is core:
`mlgate.manifest_format`.
"""
