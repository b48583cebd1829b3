"""Events and numeric claims: what happened, what was said, who said it, each pinned to its evidence.

One module per concern: `sentences` (where sentences start and end), `quantities` (numbers in words
and digits, with qualifiers), `when` (dates normalised against the publication date), `attribution`
(who said it), `detect` (event triggers and arguments), `claims` (numeric claims with speakers).
"""
