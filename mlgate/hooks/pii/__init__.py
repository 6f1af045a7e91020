"""pii-in-data-samples: personal data in committed data samples, offline.

Prefilter, then confirm. Every recognizer has a cheap *necessary* condition written with plain
`re` / `str` operations (prefilter.py: an e-mail needs an `@`, a phone number a phonenumbers
candidate with enough digits, a card number twelve digits in a row, ...). Only a cell that meets
a recognizer's condition is given to that recognizer (engine.py), so Presidio (and spaCy under
it, ≈ 1 s to import) is only imported when some cell needs confirming. The confirming step is
Presidio's own recognizers with Presidio's own scoring (presidio.py): context words (the column
name or key), the score threshold and de-duplication are done exactly as
`AnalyzerEngine.analyze` does them with the no-op NLP engine, so mlgate reports every finding
Presidio reports (tests/hooks/pii/test_parity.py proves it); mlgate's precision rules
(allowlist.py) act after confirmation.

Modules: check.py (the hook's contract), config.py (`[pii]`), rules.py, engine.py
(PiiDetector), prefilter.py, allowlist.py, cards.py, phones.py, spans.py, presidio.py and
presidio_recognizers.py (Presidio glue), presidio_catalog.py, scrub.py (`mlgate pii scrub`),
cli.py (the `mlgate pii` group), demo.py.
"""
