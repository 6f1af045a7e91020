"""detect-ml-secrets: credentials of the ML ecosystem in text files and notebooks.

`check.py` is the hook's contract, `scanner.py` the prefilter and the confirmers, `config.py`
its policy table `[secrets]`, `rules.py` its rule ids, `demo.py` the demo's planted tokens.
"""
