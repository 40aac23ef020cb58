"""Units of a transcript: paragraphs (non-blank lines), speaker turns, and sentences.

Sentences come from spaCy: a trained English pipeline when one is installed (its parser or
`senter`), otherwise `spacy.blank("en")` with the rule-based sentencizer, so nothing is ever
downloaded. Sentences never cross a line break or a turn boundary and never include a speaker
label, so agreement on sentence units compares like with like.

spaCy's tokenizer strips punctuation from a word one character at a time, which costs time
quadratic in the length of a run of punctuation or emoji (8 KB of `!` took 43 s). spaCy reads
a copy of the text in which every such run, and every very long run without spaces (a URL-like
"word" is slow too), is cut by spaces: the copy has the same length, so its offsets are offsets
into the stored text. spaCy reads it in pieces of at most `CHUNK` characters, cut at line
breaks, so its memory does not grow with the size of a transcript.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Any

from qualcode.ingest.source import Unit
from qualcode.ingest.turns import find_turns

TRAINED_PIPELINES = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg", "en_core_web_trf")
_LINES = re.compile(r"[^\n]+")
MAX_RUN = 32  # longest run of punctuation, symbols or emoji spaCy sees whole
MAX_WORD = 200  # longest run of non-space characters spaCy sees whole
_RUNS = re.compile(rf"[^\w\s]{{{MAX_RUN + 1},}}")
_WORDS = re.compile(rf"\S{{{MAX_WORD + 1},}}")
_GAP = 200  # blank characters at most between a label's line and the words below it
CHUNK = 100_000  # characters spaCy reads at once, so its memory stays flat in the text's size


@lru_cache(maxsize=4)
def load_pipeline(name: str | None = None) -> Any:
    """The spaCy pipeline used for sentences; cached per process (loading costs ~0.3 s)."""
    import spacy

    if name is None:
        name = next((n for n in TRAINED_PIPELINES if spacy.util.is_package(n)), None)
    if name is None:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        return nlp
    nlp = spacy.load(name, exclude=["ner", "lemmatizer", "textcat"])
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
        nlp.disable_pipes(
            *[p for p in ("parser", "tagger", "attribute_ruler") if p in nlp.pipe_names]
        )
    return nlp


class Segmenter:
    """Find paragraph, turn and sentence units in normalised text."""

    def __init__(self, model: str | None = None) -> None:
        self.nlp = load_pipeline(model)
        # with the blank pipeline, the sentencizer's rule runs on token arrays (see below)
        self._rule = None
        if self.nlp.pipe_names == ["sentencizer"]:
            chars = self.nlp.get_pipe("sentencizer").punct_chars
            self._rule = sorted(self.nlp.vocab.strings.add(c) for c in chars)

    @property
    def model_name(self) -> str:
        """ "blank en + sentencizer" or the trained pipeline's name, for the record."""
        meta = self.nlp.meta
        if meta.get("name") in (None, "", "pipeline"):
            return "blank en + sentencizer"
        return f"{meta.get('lang', 'en')}_{meta['name']}-{meta.get('version', '')}"

    def units(self, text: str, turns: list[Unit] | None = None) -> list[Unit]:
        """All units of `text`, paragraphs first, then turns, then sentences."""
        if turns is None:
            turns = find_turns(text)
        spans = (_stripped(text, m.start(), m.end()) for m in _LINES.finditer(text))
        paragraphs = [Unit("paragraph", *span) for span in spans if span is not None]
        pieces = _pieces(text, paragraphs, turns)
        return paragraphs + list(turns) + self._sentences(text, pieces)

    def sentence_spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each sentence spaCy finds in `text`."""
        if len(text) >= self.nlp.max_length:
            self.nlp.max_length = len(text) + 1
        view = cut_runs(text)
        spans: list[tuple[int, int]] = []
        for start, end in _chunks(view):
            chunk = view[start:end]
            if self._rule is None:
                found = [(s.start_char, s.end_char) for s in self.nlp(chunk).sents]
            else:
                found = self._rule_spans(self.nlp.make_doc(chunk))
            spans += [(start + a, start + b) for a, b in found]
        return spans

    def _rule_spans(self, doc: Any) -> list[tuple[int, int]]:
        """spaCy's `Sentencizer` rule, computed on token arrays.

        A sentence starts at the first token after a sentence-final character (".", "?",
        "!", ...) that is neither punctuation nor such a character. Reading the tokenizer's
        arrays instead of Token objects makes ingest about twice as fast; the test suite
        checks the result equals the Sentencizer's on the sample corpus.
        """
        import numpy as np
        from spacy.attrs import IDX, IS_PUNCT, LENGTH, ORTH

        if len(doc) == 0:
            return []
        arr = doc.to_array([IDX, LENGTH, IS_PUNCT, ORTH])
        idx, length = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
        final = np.isin(arr[:, 3], self._rule)
        normal = np.flatnonzero(~final & (arr[:, 2] == 0))
        seen = np.concatenate(([0], np.cumsum(final)))  # finals before each token
        previous = np.concatenate(([0], normal[:-1] + 1))
        starts = normal[seen[normal] - seen[previous] > 0]
        starts = np.unique(np.concatenate(([0], starts)))
        ends = np.concatenate((starts[1:], [len(doc)])) - 1
        return list(zip(idx[starts].tolist(), (idx[ends] + length[ends]).tolist(), strict=True))

    def _sentences(self, text: str, pieces: list[Unit]) -> list[Unit]:
        """Sentences from spaCy over the whole text, then cut at line and turn edges."""
        if not pieces:
            return []
        starts = [p.start for p in pieces]
        out: list[Unit] = []
        for s, e in self.sentence_spans(text):
            i = max(bisect.bisect_right(starts, s) - 1, 0)
            while i < len(pieces) and pieces[i].start < e:
                piece = pieces[i]
                lo, hi = max(s, piece.start), min(e, piece.end)
                span = _stripped(text, lo, hi) if lo < hi else None
                if span is not None:
                    out.append(Unit("sentence", span[0], span[1], piece.speaker, piece.role))
                i += 1
        return out


def cut_runs(text: str) -> str:
    """`text` with a space in place of every `MAX_RUN + 1`-th character of a long run of
    punctuation, symbols or emoji, and of every `MAX_WORD + 1`-th of a long run without spaces:
    the same length, so offsets stay valid, and linear to tokenize (a sentence boundary inside
    such a run may move by a character)."""
    text = _RUNS.sub(lambda m: _spaced(m.group(), MAX_RUN), text)
    return _WORDS.sub(lambda m: _spaced(m.group(), MAX_WORD), text)


def _chunks(text: str) -> list[tuple[int, int]]:
    """(start, end) of pieces of at most `CHUNK` characters, each ending after a line break
    where there is one (sentence units never cross a line, so the blank pipeline's sentences
    are the same as over the whole text), else after a space (`cut_runs` leaves one at least
    every `MAX_WORD` characters)."""
    pieces, start = [], 0
    while start < len(text):
        end = min(start + CHUNK, len(text))
        if end < len(text):
            cut = text.rfind("\n", start, end)
            cut = cut if cut > start else text.rfind(" ", start, end)
            end = cut + 1 if cut > start else end
        pieces.append((start, end))
        start = end
    return pieces


def _spaced(run: str, every: int) -> str:
    """`run` with its characters number every+1, 2*(every+1), ... replaced by a space."""
    step = every + 1
    return "".join(run[i : i + every] + " " for i in range(0, len(run), step))[: len(run)]


def _pieces(text: str, paragraphs: list[Unit], turns: list[Unit]) -> list[Unit]:
    """Lines clipped to the turn they belong to (dropping labels), with its speaker. A line
    just before a turn's words and outside every turn is that turn's label (`Name  0:03`
    above the words), so it is no sentence."""
    starts = [t.start for t in turns]
    pieces = []
    for para in paragraphs:
        i = bisect.bisect_right(starts, para.end - 1) - 1
        turn = turns[i] if i >= 0 and turns[i].end > para.start else None
        if turn is None:
            following = turns[i + 1].start if i + 1 < len(turns) else None
            gap = following - para.end if following is not None else _GAP + 1
            if gap > _GAP or text[para.end : para.end + gap].strip():
                pieces.append(para)
            continue
        lo, hi = max(para.start, turn.start), min(para.end, turn.end)
        if lo < hi:
            pieces.append(Unit("sentence", lo, hi, turn.speaker, turn.role))
    return pieces


def _stripped(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without surrounding whitespace, or None if nothing is left."""
    chunk = text[start:end]
    body = chunk.strip()
    if not body:
        return None
    lead = len(chunk) - len(chunk.lstrip())
    return start + lead, start + lead + len(body)
