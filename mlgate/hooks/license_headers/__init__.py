"""spdx-license-headers: SPDX license identifiers and copyright lines, as REUSE 3.3 reads them.

`check.py` is the hook's contract (REUSE precedence per file, expression checks);
`header.py` the header parser (comments per style, strings skipped); `styles.py` the comment
styles by file name; `reuse_meta.py` REUSE.toml and `.reuse/dep5`; `fix.py` `--fix`;
`config.py` the `[license-headers]` policy table, `rules.py` the rule ids, `demo.py` the
demo's planted header defects.
"""
