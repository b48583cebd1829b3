"""Stories: near-duplicates, online story clustering, cross-document events, claims compared.

`signals.py` runs in the worker (pure), `assign.py` places each new document during ingest,
`merge.py` merges the reports of one happening, `claims.py` groups figures about one subject,
`timeline.py` puts events and claims of an entity or story in date order, `evaluate.py` scores
same-story pairs and clusters.
"""
