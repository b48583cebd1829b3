"""Scorers, one module per dataset family. Each measures what the project stores, through the
same ingest and export path a user takes, so a figure means what a user would see."""

from threatwatch.eval.tokens import token_prf

__all__ = ["token_prf"]
