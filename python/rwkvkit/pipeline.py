"""The corpus pipeline from Python: build, stats, evaluate.

Each call runs the C++ library on its own thread while the calling thread waits in Python, so

* progress arrives through ``progress=``: ``True`` (default) shows a tqdm bar when tqdm is
  installed, ``False`` nothing, a callable is called about ten times a second with a dict
  ``{'phase', 'done', 'total', 'unit', 'documents'}``;
* Ctrl-C (KeyboardInterrupt) stops the work at its next safe point and is raised again once
  it has stopped: a build publishes nothing (the previous output stays as it was) and keeps its
  work area, so ``resume=True`` continues it;
* errors are rwkvkit exceptions (rwkvkit.errors) carrying the file and line they are about.

Each returns its summary as a dict.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Optional, Sequence, Union

from . import _rwkvkit
from ._paths import default_vocab
from .errors import Error

__all__ = ["build", "stats", "evaluate"]

Progress = Union[bool, Callable[[Dict[str, Any]], None]]
PathLike = Union[str, "os.PathLike[str]"]

_POLL_SECONDS = 0.1


class _Bar:
    """A tqdm bar fed from job progress dicts (one bar per phase)."""

    def __init__(self, desc: str) -> None:
        import tqdm  # noqa: F401 (only when present)

        self._tqdm = tqdm.tqdm
        self._desc = desc
        self._bar = None
        self._phase = None

    def __call__(self, p: Dict[str, Any]) -> None:
        if p["phase"] != self._phase or self._bar is None:
            self.close()
            self._phase = p["phase"]
            scale = p["unit"] == "bytes"
            self._bar = self._tqdm(total=p["total"] or None, desc=f"{self._desc} ({p['phase']})",
                                   unit="B" if scale else f" {p['unit'][:3]}", unit_scale=scale, leave=False)
        self._bar.n = p["done"]
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _reporter(progress: Progress, desc: str) -> Optional[Callable[[Dict[str, Any]], None]]:
    if callable(progress):
        return progress
    if progress:
        try:
            return _Bar(desc)
        except ImportError:
            return None
    return None


def _drive(job: "_rwkvkit.Job", progress: Progress, desc: str) -> Dict[str, Any]:
    """Waits for `job`, reporting progress; Ctrl-C cancels it and is raised once it stopped."""
    report = _reporter(progress, desc)
    last = None
    try:
        try:
            while not job.wait(_POLL_SECONDS):
                if report is not None:
                    p = job.progress()
                    if p["phase"] and p != last:
                        report(p)
                        last = p
        except KeyboardInterrupt:
            job.cancel()
            while True:
                try:
                    if job.wait(_POLL_SECONDS):
                        break
                except KeyboardInterrupt:  # a second Ctrl-C: it is stopping already
                    continue
            raise
        if report is not None:
            p = job.progress()
            if p["phase"] and p != last:
                report(p)
        try:
            return job.result()
        except Error as e:
            if e.code == "CANCELLED":
                raise KeyboardInterrupt(str(e)) from None
            raise
    finally:
        if isinstance(report, _Bar):
            report.close()


def _str_paths(paths: Optional[Union[PathLike, Sequence[PathLike]]]) -> Optional[list]:
    if paths is None:
        return None
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    return [os.fsdecode(os.fspath(p)) for p in paths]


def build(manifest: Optional[PathLike] = None, inputs: Optional[Union[PathLike, Sequence[PathLike]]] = None,
          out: Optional[PathLike] = None, *, vocab: Optional[PathLike] = None, progress: Progress = True,
          **options: Any) -> Dict[str, Any]:
    """Builds binidx shards, as ``rwkvkit build`` (docs/cli.md; the same library code).

    Args:
        manifest: a corpus manifest (data_manifests/README.md), or
        inputs: input paths (files, directories, globs), one source each.
        out: the output directory (default: the manifest's output.dir).
        vocab: the World vocab (default: as ``rwkvkit.Tokenizer()`` finds it).
        progress: True (tqdm when installed), False, or a callable taking a progress dict.
        **options: the build's flags with underscores: ``name``, ``text_key``, ``id_key``,
            ``max_record_bytes``, ``max_bad_fraction``, ``normalize`` ("nfc", "nfkc", "none"),
            ``shard_tokens``, ``ctx_len``, ``shuffle``, ``strict``, ``resume``, ``force``,
            ``near_dedup`` (bool), ``dedup_report``, ``filters`` (bool), ``drop_report``, ``c4`` (bool),
            ``language_id_prefix`` (bytes, 0: the whole text), ``threads``.

    Returns:
        The summary: ``documents_read``, ``documents_written``, ``bad_records``, ``tokens``,
        ``shards``, ``input_bytes``, ``out``, ``name``, ``ctx_len``, the resume fields, and
        ``training`` (RWKV-LM's numbers for the whole corpus, as rwkvkit.training_numbers).

    Raises:
        KeyboardInterrupt: Ctrl-C; nothing was published, ``resume=True`` continues.
        rwkvkit.Error: bad options, inputs or output directory (with the file and line).
    """
    request: Dict[str, Any] = dict(options)
    if manifest is not None:
        request["manifest"] = os.fsdecode(os.fspath(manifest))
    if inputs is not None:
        request["inputs"] = _str_paths(inputs)
    if out is not None:
        request["out"] = os.fsdecode(os.fspath(out))
    for key in ("dedup_report", "drop_report"):
        if request.get(key) is not None:
            request[key] = os.fsdecode(os.fspath(request[key]))
    vocab_path = os.fsdecode(os.fspath(vocab)) if vocab is not None else default_vocab()
    job = _rwkvkit.start_build(request, vocab_path)
    summary = _drive(job, progress, "rwkvkit build")
    if summary["tokens"] > 0:
        summary["training"] = _rwkvkit.training_numbers(summary["tokens"], summary["ctx_len"])
    return summary


def stats(build_dir: PathLike, out: PathLike, *, vocab: Optional[PathLike] = None, progress: Progress = True,
          language: str = "auto", top_tokens: int = 50, top_lines: int = 20, examples: int = 3,
          threads: int = 0) -> Dict[str, Any]:
    """Writes the corpus report of a build, as ``rwkvkit stats BUILD_DIR --out OUT``
    (docs/stats_report.md): ``report.json``, ``report.html`` and ``report.md`` in ``out``.

    Args:
        build_dir: a build directory (with build.json).
        out: the report directory (created; checked before any shard is read).
        language: "auto", "cld2" or "manifest" (where the language of a document comes from).
        top_tokens, top_lines, examples: how many most frequent tokens, repeated lines and
            example documents per source the reports show.
        threads: cores to use (0: all).

    Returns:
        report.json as a dict (its ``shard_errors`` lists damaged shards, which were skipped;
        a warning says so too), plus ``report_dir``.

    Raises:
        KeyboardInterrupt: Ctrl-C; no report was written.
        rwkvkit.Error: no or a bad build.json (naming the field), an unusable ``out``.
    """
    vocab_path = os.fsdecode(os.fspath(vocab)) if vocab is not None else default_vocab()
    out_dir = os.fsdecode(os.fspath(out))
    job = _rwkvkit.start_stats(os.fsdecode(os.fspath(build_dir)), out_dir, vocab_path, language, int(top_tokens),
                               int(top_lines), int(examples), int(threads))
    result = _drive(job, progress, "rwkvkit stats")
    import json

    with open(os.path.join(out_dir, "report.json"), encoding="utf-8") as f:
        report = json.load(f)
    report["report_dir"] = out_dir
    if result["shard_errors"]:
        import warnings

        warnings.warn("rwkvkit.stats: damaged shards skipped: " + "; ".join(result["shard_errors"]), stacklevel=2)
    return report


def _cuda_plugin() -> str:
    env = os.environ.get("RWKVKIT_CUDA_PLUGIN")
    if env:
        return env
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib", "librwkvkit_cuda.so")


def evaluate(model: PathLike, data: Union[PathLike, Sequence[PathLike]], *, device: str = "cpu",
             dtype: str = "fp32", gpu: int = 0, batch: int = 256, window: int = 256, max_docs: int = 0,
             docs_per_source: int = 0, seed: int = 0, threads: int = 0, vocab: Optional[PathLike] = None,
             progress: Progress = True) -> Dict[str, Any]:
    """Perplexity and bits per byte of binidx shards under an RWKV-5.2 / RWKV-6 checkpoint, as
    ``rwkvkit eval`` (docs/eval.md): every document from a fresh state, inputs
    ``[0, t1..tn]``, targets ``[t1..tn, 0]``, NLL in nats.

    Args:
        model: a ``.pth`` (read without PyTorch) or ``.safetensors`` checkpoint.
        data: shard prefixes, ``.bin``/``.idx`` paths or directories (all their shards).
        device: "cpu" (the exact fp32 reference) or "cuda" (the CUDA plugin, loaded as the CLI
            loads it: ``$RWKVKIT_CUDA_PLUGIN``, else ``rwkvkit/lib/librwkvkit_cuda.so``).
        dtype: "fp32"; on cuda also "bf16" or "fp16".
        max_docs / docs_per_source / seed: a seeded sample of the documents (``--max-docs``,
            ``--docs-per-source``, ``--seed``).
        window, batch, gpu, threads: as the CLI's flags.

    Returns:
        ``{'model', 'version', 'total': {'documents', 'tokens', 'bytes', 'mean_nll',
        'perplexity', 'bits_per_byte'}, 'sources': {name: totals}, 'sample': {...} (when
        sampled), 'warnings': [...]}`` — the CLI's JSON line as a dict.

    Raises:
        KeyboardInterrupt: Ctrl-C (stops after the current document).
        rwkvkit.Error: the model's, the shards', a non-finite NLL (naming shard, document and
            source), a missing or mismatched CUDA plugin.
    """
    data_paths = _str_paths(data)
    vocab_path = os.fsdecode(os.fspath(vocab)) if vocab is not None else default_vocab()
    job = _rwkvkit.start_eval(os.fsdecode(os.fspath(model)), data_paths, device, dtype, int(gpu), int(batch),
                              int(window), int(max_docs), int(docs_per_source), int(seed), vocab_path,
                              _cuda_plugin(), int(threads))
    return _drive(job, progress, "rwkvkit eval")
