"""unsafe-serialization: model files that run code when loaded, judged without loading them.

`check.py` is the hook's contract and routes each file by its content; `opcodes.py` the
streaming pickle walker (its own stack and memo model); `allowlist.py` what each format may
import; `containers.py` zip archives read two ways; `streams.py` file regions and compressed
streams; `numpyfile.py`, `keras.py`, `safetensors.py`, `hf_config.py` the other formats;
`config.py` the `[serialization]` policy table, `rules.py` the rule ids, `demo.py` the demo's
planted pickle.
"""
