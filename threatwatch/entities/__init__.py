"""Entities: names found per language, linked across scripts and spellings to canonical entities."""

from threatwatch.entities.extract import extract_entities

__all__ = ["extract_entities"]
