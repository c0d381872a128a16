"""Cleaning on more than one machine with Dask (optional extra ``textfix[dask]``).

* :func:`clean_bag` cleans a ``dask.bag`` of documents (strings, or ``(name, text)``
  pairs) and gives a bag of JSON-ready records, the same records ``textfix clean
  --format jsonl`` writes, each with the document's name;
* :func:`learn_terms_bag` learns the archive's lexicon with a map-reduce: each
  partition counts the Han n-grams of its documents
  (:func:`textfix.fuzzy.terms.count_ngrams`), the counts are summed and the terms
  selected by :func:`textfix.fuzzy.terms.select_terms`: the very computation of
  ``textfix lexicon learn`` on one machine, so both give the same terms.

The module is called ``textfix.dask``; it only imports the ``dask`` library inside its
functions, with absolute imports, so it never shadows it.  Each partition builds its
:class:`~textfix.pipeline.Pipeline` once (the pipeline is picklable: only its options
travel to the workers, and each worker loads data on first use).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Iterator

from .fuzzy.terms import count_ngrams, select_terms
from .pipeline import Config, Pipeline


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
    named = list(_named(docs))
    # a few texts together, each rule over all of them before the next (what clean()
    # gives each; a text that fails raises after the results before it)
    for (name, _), result in zip(named, pipeline.map(text for _, text in named)):
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


def _count_partition(docs: Iterable[Any], max_len: int) -> list[Counter]:
    """The map: the n-gram counts of one partition."""
    return [count_ngrams((text for _, text in _named(docs)), max_len)]


def _reduce_partition(items: Iterable[Counter]) -> Counter:
    """The reduce: sum the counts."""
    acc: Counter = Counter()
    for item in items:
        acc.update(item)
    return acc


def _select(counts: Counter, known: Any, criteria: dict) -> list[tuple[str, int]]:
    if isinstance(known, str) and known == "default":
        from .rules._data import lexicon

        known = lexicon().freq
    return select_terms(counts, known, **criteria)


def learn_terms_bag(bag, known: Any = "default", **criteria: Any):
    """Learn the archive lexicon from a bag of documents with a map-reduce.

    Map: per partition, :func:`~textfix.fuzzy.terms.count_ngrams` of its documents
    (strings or ``(name, text)`` pairs).  Reduce: sum the counts.  Select:
    :func:`~textfix.fuzzy.terms.select_terms` with ``known`` (``"default"``: the
    default lexicon, loaded where the selection runs; or a set or dict of words) and
    its criteria (``min_count``, ``min_len``, ``max_len``, ``min_pmi``,
    ``min_entropy``).  Returns a ``dask.delayed`` of ``[(term, count), ...]``, most
    frequent first (call ``.compute()``): the list ``textfix lexicon learn`` writes
    for the same documents.
    """
    _require_dask()
    import dask

    max_len = criteria.get("max_len", 4)
    partials = bag.map_partitions(_count_partition, max_len)
    total = partials.reduction(_reduce_partition, _reduce_partition)
    return dask.delayed(_select)(total, known, criteria)
