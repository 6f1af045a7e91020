"""detect-ml-secrets: credentials of the ML ecosystem in text files and notebooks.

`check.py` is the hook's contract; `scanner.py` the Scanner (prefilter, then confirm);
`provider_rules.py` our own rule table (ML providers, the generic keyword rule);
`ds_plugins.py` the detect-secrets plugins we run and what we know about each;
`placeholders.py` what is filler rather than a secret; `config.py` the `[secrets]` policy
table, `rules.py` the rule ids, `demo.py` the demo's planted tokens.
"""
