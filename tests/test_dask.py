import json
import os

import pytest

import textfix
from textfix.batch import run_batch

from conftest import SEEDS

db = pytest.importorskip("dask.bag", reason="dask is not installed (pip install 'textfix[dask]')")
distributed = pytest.importorskip("distributed", reason="distributed is not installed (pip install 'textfix[dask]')")

from textfix.dask import clean_bag, learn_terms_bag  # noqa: E402
from textfix.fuzzy.terms import count_ngrams, learn_terms  # noqa: E402
from textfix.rules._data import lexicon  # noqa: E402


def test_module_does_not_shadow_the_library():
    import dask

    import textfix.dask as ours

    assert os.path.dirname(dask.__file__) != os.path.dirname(ours.__file__)
    assert hasattr(dask, "delayed") and ours.__name__ == "textfix.dask"


def test_ngram_counts_stay_inside_han_runs_and_add_up():
    c = count_ngrams(["茂名晚报，茂名"])
    assert c["茂名"] == 2 and c["茂名晚报"] == 1 and "报，" not in c and "报茂" not in c
    assert c["^茂名"] == 2 and c["茂名$"] == 1 and c["晚报$"] == 1
    parts = count_ngrams(["茂名晚报"]) + count_ngrams(["茂名"])
    assert parts == c  # counts of parts add up to the counts of the whole


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as c:
        yield c


def test_clean_bag_on_a_local_cluster_equals_the_local_batch(client, tmp_path):
    names = [os.path.basename(p) for p in SEEDS]
    docs = [(n, open(p, encoding="utf-8").read()) for n, p in zip(names, SEEDS)] * 2
    docs = [(f"{i}/{n}", t) for i, (n, t) in enumerate(docs)]
    bag = db.from_sequence(docs, npartitions=3)
    records = clean_bag(bag, disable=["punct.straight-quotes"]).compute()
    src = tmp_path / "in"
    for name, text in docs:
        (src / os.path.dirname(name)).mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text, encoding="utf-8")
    run_batch([str(src)], str(tmp_path / "out"), fmt="jsonl", quiet=True, jobs=1,
              config=textfix.Config(disable=("punct.straight-quotes",)))
    expected = []
    for name, _ in docs:
        path = tmp_path / "out" / (os.path.splitext(name)[0] + ".jsonl")
        expected += [{"file": name, **json.loads(l)} for l in path.read_text(encoding="utf-8").splitlines()]
    assert records == expected
    pairs = clean_bag(bag, results=True).compute()
    assert [n for n, _ in pairs] == [n for n, _ in docs]
    assert all(r.restore() == t for (_, r), (_, t) in zip(pairs, docs))


def test_learn_terms_bag_equals_learning_on_one_machine(client):
    texts = [open(p, encoding="utf-8").read() for p in SEEDS] * 3
    bag = db.from_sequence(texts, npartitions=4)
    terms = learn_terms_bag(bag, min_count=3).compute()
    assert terms == learn_terms(texts, known=lexicon().freq, min_count=3) and len(terms) > 10
    assert dict(terms)["廖述毅"] >= 9  # the district secretary: a name no dictionary has
    unknown = learn_terms_bag(bag, known=(), min_count=3).compute()
    assert unknown == learn_terms(texts, min_count=3) and len(unknown) > len(terms)


def test_bad_options_fail_on_the_client():
    with pytest.raises(textfix.ConfigError):
        clean_bag(db.from_sequence(["x"]), no_such_option=True)
