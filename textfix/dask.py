"""Cleaning on more than one machine with Dask (optional extra ``textfix[dask]``).

* :func:`clean_bag` cleans a ``dask.bag`` of documents (strings, or ``(name, text)``
  pairs) and gives a bag of JSON-ready records, the same records ``textfix clean
  --format jsonl`` writes, each with the document's name;
* :func:`learn_terms_bag` learns the archive's lexicon with a map-reduce: each
  partition counts the Han n-grams of its documents, the counts are summed and
  filtered by :func:`select_terms`.

The module is called ``textfix.dask``; it only imports the ``dask`` library inside its
functions, with absolute imports, so it never shadows it.  Each partition builds its
:class:`~textfix.pipeline.Pipeline` once (the pipeline is picklable: only its options
travel to the workers, and each worker loads data on first use).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Iterator

import regex

from .pipeline import Config, Pipeline

#: Term criterion of :func:`learn_terms_bag`: n-grams of 2 to 4 Han characters …
TERM_SIZES = (2, 3, 4)
#: … seen at least this many times in the archive …
MIN_COUNT = 5
#: … in at least this many documents.
MIN_DOCS = 2

_HAN_RUN = regex.compile(r"\p{Han}{2,}")


def _require_dask():
    try:
        import dask.bag  # noqa: F401
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("textfix.dask needs dask: pip install 'textfix[dask]'") from None


def _named(docs: Iterable[Any]) -> Iterator[tuple[str, str]]:
    for i, d in enumerate(docs):
        if isinstance(d, str):
            yield str(i), d
        else:
            name, text = d
            yield str(name), text


def _clean_partition(docs: Iterable[Any], config: Config, as_results: bool) -> list:
    pipeline = Pipeline(config)  # once per partition
    out: list = []
    for name, text in _named(docs):
        result = pipeline.clean(text)
        if as_results:
            out.append((name, result))
        else:
            for rec in result.to_records():
                out.append({"file": name, **rec})
    return out


def clean_bag(bag, *, results: bool = False, config: Config | None = None, **options: Any):
    """Clean every document of ``bag``.

    Documents are strings or ``(name, text)`` pairs (a string's name is its position
    in its partition: give names when they matter).  Returns a bag of records
    (schema ``textfix.paragraph/1`` plus ``file``), or with ``results=True`` a bag of
    ``(name, Result)`` pairs.  ``options`` are those of :class:`~textfix.pipeline.Config`,
    checked here before anything runs.
    """
    _require_dask()
    cfg = Config.make(config, **options)
    Pipeline(cfg)  # fail early on bad options, on the client
    return bag.map_partitions(_clean_partition, cfg, results)


def han_ngrams(text: str, sizes: Iterable[int] = TERM_SIZES) -> Counter:
    """Counts of the n-grams of Han characters in ``text`` (runs of Han characters only:
    no n-gram crosses punctuation, a space or a line break)."""
    counts: Counter = Counter()
    sizes = tuple(sizes)
    for m in _HAN_RUN.finditer(text):
        run = m.group()
        for n in sizes:
            for i in range(len(run) - n + 1):
                counts[run[i:i + n]] += 1
    return counts


def _count_partition(docs: Iterable[Any], sizes: tuple[int, ...]) -> list[tuple[Counter, Counter]]:
    """The map: n-gram counts and document frequencies of one partition."""
    counts: Counter = Counter()
    doc_freq: Counter = Counter()
    for _, text in _named(docs):
        c = han_ngrams(text, sizes)
        counts.update(c)
        doc_freq.update(c.keys())
    return [(counts, doc_freq)]


def _merge(a: tuple[Counter, Counter], b: tuple[Counter, Counter]) -> tuple[Counter, Counter]:
    """The reduce: sum counts and document frequencies."""
    a[0].update(b[0])
    a[1].update(b[1])
    return a


def select_terms(counts: Counter, doc_freq: Counter, min_count: int = MIN_COUNT,
                 min_docs: int = MIN_DOCS) -> dict[str, int]:
    """The term criterion: an n-gram seen at least ``min_count`` times in at least
    ``min_docs`` documents, and not only as part of one longer term (an n-gram whose
    count equals that of an (n+1)-gram containing it is dropped)."""
    frequent = {t: c for t, c in counts.items() if c >= min_count and doc_freq[t] >= min_docs}
    covered = set()
    for t, c in frequent.items():
        if len(t) > 2:
            for sub in (t[:-1], t[1:]):
                if frequent.get(sub) == c:
                    covered.add(sub)
    return {t: c for t, c in sorted(frequent.items(), key=lambda kv: (-kv[1], kv[0]))
            if t not in covered}


def learn_terms(texts: Iterable[str], min_count: int = MIN_COUNT, min_docs: int = MIN_DOCS,
                sizes: Iterable[int] = TERM_SIZES) -> dict[str, int]:
    """The same as :func:`learn_terms_bag`, on one machine, for an iterable of texts."""
    counts, doc_freq = _count_partition(list(texts), tuple(sizes))[0]
    return select_terms(counts, doc_freq, min_count, min_docs)


def learn_terms_bag(bag, min_count: int = MIN_COUNT, min_docs: int = MIN_DOCS,
                    sizes: Iterable[int] = TERM_SIZES):
    """Learn the archive lexicon from a bag of documents with a map-reduce.

    Map: per partition, counts and document frequencies of 2–4 character Han n-grams.
    Reduce: sum them.  Filter: :func:`select_terms`.  Returns a ``dask.delayed`` of a
    ``{term: count}`` dict, most frequent first (call ``.compute()``).
    """
    _require_dask()
    import dask

    partials = bag.map_partitions(_count_partition, tuple(sizes))
    total = partials.reduction(_reduce_partition, _reduce_partition)
    return dask.delayed(_select_pair)(total, min_count, min_docs)


def _reduce_partition(items: Iterable[tuple[Counter, Counter]]) -> tuple[Counter, Counter]:
    acc: tuple[Counter, Counter] = (Counter(), Counter())
    for item in items:
        acc = _merge(acc, item)
    return acc


def _select_pair(pair: tuple[Counter, Counter], min_count: int, min_docs: int) -> dict[str, int]:
    return select_terms(pair[0], pair[1], min_count, min_docs)

