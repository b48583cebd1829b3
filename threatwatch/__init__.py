"""threatwatch: an offline pipeline for news about terrorism and political violence.

Library entry points: `threatwatch.pipeline.ingest` / `process`, `threatwatch.store.Store`,
`threatwatch.search.search`, `threatwatch.export.export`.
"""

__version__ = "0.1.0"
