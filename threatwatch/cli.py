"""Command line: thin commands over the library. Each parses, calls one library function and
prints; library errors become one line on stderr that says what to do."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from threatwatch.errors import ThreatwatchError
from threatwatch.ingest import DEFAULT_MAX_FILE_BYTES

F = TypeVar("F", bound=Callable[..., Any])
EVAL_DATASETS = ("boilerplate", "ner", "gtd", "acled", "pairs", "clusters")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2,
          "g": 1000**3, "gb": 1000**3, "gib": 1024**3}


def parse_size(value: str) -> int:
    match = _SIZE.match(value)
    unit = (match.group(2) or "").lower() if match else None
    if not match or unit not in _UNITS:
        raise click.BadParameter(f"{value!r} is not a size: write e.g. 500KB, 20MB or 1GiB")
    return int(float(match.group(1)) * _UNITS[unit])


def db_option(func: F) -> F:
    return click.option(
        "--db",
        "db",
        default=None,
        metavar="FILE",
        help="Store file; default $THREATWATCH_DB, else threatwatch.db in the current folder.",
    )(func)


def reports_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ThreatwatchError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def open_store(db: str | None, readonly: bool = False):  # type: ignore[no-untyped-def]
    from threatwatch.store import Store, default_db_path

    return Store(db or default_db_path(), readonly=readonly)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="threatwatch")
def main() -> None:
    """threatwatch: raw multilingual news on terrorism and political violence, made searchable and cited."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes that clean in parallel; default: the number of CPU cores, at most 4.")
@click.option("--max-file-size", "max_file_size", default=f"{DEFAULT_MAX_FILE_BYTES // 1024**2}MiB",
              show_default=True, help="Larger files are rejected (e.g. 500KB, 20MB, 1GiB).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--no-entities", "no_entities", is_flag=True, help="Skip entity extraction (faster; documents only).")
@click.option("--no-embeddings", "no_embeddings", is_flag=True,
              help="Group stories on words, names and event signatures only, without sentence embeddings "
                   "(faster; fewer reports grouped across languages).")
@reports_errors
def ingest(
    paths: tuple[str, ...], db: str | None, workers: int | None, max_file_size: str, quiet: bool, no_entities: bool,
    no_embeddings: bool,
) -> None:
    """Ingest files or folders (.txt .html .htm .jsonl .warc .warc.gz) into the store."""
    from tqdm import tqdm

    from threatwatch.pipeline import ingest as run_ingest

    max_bytes = parse_size(max_file_size)
    workers = workers or min(4, os.cpu_count() or 1)
    with open_store(db) as store, tqdm(
        desc="ingest", unit="doc", disable=True if quiet else None, file=sys.stderr, leave=False
    ) as bar:
        summary = run_ingest(store, paths, workers=workers, max_bytes=max_bytes, progress=bar.update,
                             entities=not no_entities, embeddings=not no_embeddings)
    for rejection in summary.rejected:
        click.echo(rejection.line(), err=True)
    click.echo(
        f"stored {summary.stored}, duplicates {summary.duplicates}, rejected {len(summary.rejected)}"
        f" ({store.path})",
        err=True,
    )
    sys.exit(0 if summary.ok else 1)


@main.command()
@click.argument("kind", type=click.Choice(["documents", "entities", "events", "claims", "stories"]))
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.Path(allow_dash=True), default="-", help="File to write; default stdout.")
@reports_errors
def export(kind: str, db: str | None, fmt: str, output: str) -> None:
    """Export records as JSONL or CSV (see SPEC.md for the fields)."""
    from threatwatch.export import export as run_export

    with open_store(db, readonly=True) as store, click.open_file(output, "w", encoding="utf-8") as out:
        run_export(store, kind, fmt, out)


@main.command()
@click.argument("query")
@db_option
@click.option("--lang", default=None, metavar="xx", help="Only documents in this language (ISO 639-1).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON, as the HTTP API does.")
@reports_errors
def search(query: str, db: str | None, lang: str | None, limit: int, as_json: bool) -> None:
    """Full-text search in every language; matched words are shown in [brackets]."""
    from threatwatch.search import search as run_search

    with open_store(db, readonly=True) as store:
        result = run_search(store, query, lang=lang, limit=limit)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.total} document(s) match {query!r}")
    for hit in result.hits:
        click.echo(f"\n{hit.doc_id}  [{hit.lang or '?'}] {hit.published or 'undated'}  {hit.title or '(no title)'}")
        click.echo(f"  {hit.snippet}")


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any address but localhost needs a token.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--token", envvar="THREATWATCH_TOKEN", default=None, metavar="TOKEN",
              help="Required on every request when set (default $THREATWATCH_TOKEN).")
@click.option("--rate-limit", "rate_limit", type=click.IntRange(0, 1_000_000), default=600, show_default=True,
              help="Requests per minute per client address; 0 turns the limit off.")
@reports_errors
def serve(db: str | None, host: str, port: int, token: str | None, rate_limit: int) -> None:
    """Serve the store read-only: JSON API under /api/, pages at /."""
    import uvicorn

    from threatwatch.web import create_app
    from threatwatch.web.security import LOOPBACK_NAMES, Limits, is_loopback

    local = is_loopback(host)
    if not local and not token:
        raise ThreatwatchError(f"refusing to serve on {host} without a token: pass --token or set THREATWATCH_TOKEN"
                               " (or serve on 127.0.0.1)")
    with open_store(db, readonly=True) as store:  # migrates an older store once, before serving read-only
        path = store.path
    app = create_app(path, token=token, allowed_hosts=LOOPBACK_NAMES | {host} if local and not token else None,
                     limits=Limits(rate_per_minute=rate_limit))
    click.echo(f"serving {path} read-only on http://{host}:{port}/" + (" (token required)" if token else ""),
               err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)


@main.group()
def entities() -> None:
    """Correct entity linking; corrections are kept and survive re-ingest."""


def _correct(db: str | None, action: str, target: str, argument: str) -> None:
    from threatwatch.entities.overrides import Override

    with open_store(db, readonly=True) as store:
        moved = store.correct_entities(Override(action, target, argument))  # type: ignore[arg-type]
    click.echo(f"{action}: {moved} mention(s) moved" if action != "rename" else f"renamed {target} to {argument!r}")


@entities.command()
@click.argument("keep")
@click.argument("fold_in")
@db_option
@reports_errors
def merge(keep: str, fold_in: str, db: str | None) -> None:
    """Fold entity FOLD_IN into entity KEEP (ids from `export entities`)."""
    _correct(db, "merge", keep, fold_in)


@entities.command()
@click.argument("entity_id")
@click.argument("surface")
@db_option
@reports_errors
def split(entity_id: str, surface: str, db: str | None) -> None:
    """Move the mentions of ENTITY_ID written SURFACE to an entity of their own."""
    _correct(db, "split", entity_id, surface)


@entities.command()
@click.argument("entity_id")
@click.argument("name")
@db_option
@reports_errors
def rename(entity_id: str, name: str, db: str | None) -> None:
    """Give ENTITY_ID a new display name."""
    _correct(db, "rename", entity_id, name)


@entities.command()
@db_option
@reports_errors
def relink(db: str | None) -> None:
    """Link every stored mention again (after a registry update); corrections are applied again."""
    from threatwatch.entities.extract import relink_mention

    with open_store(db, readonly=True) as store:
        changed = store.relink(relink_mention)
    click.echo(f"relinked: {changed} mention(s) now point to another entity")


@main.group()
def stories() -> None:
    """Recompute the stories of a store."""


@stories.command()
@db_option
@click.option("--no-embeddings", "no_embeddings", is_flag=True,
              help="Compute no embedding for documents stored without one (they are grouped without it).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@reports_errors
def rebuild(db: str | None, no_embeddings: bool, quiet: bool) -> None:
    """Compute near-duplicates, stories and canonical events again for every stored document, in
    publication order: for a store made before stories existed, or after `entities merge/split`."""
    from tqdm import tqdm

    from threatwatch.stories.rebuild import rebuild as run_rebuild

    with open_store(db, readonly=True) as store, tqdm(
        desc="stories", unit="doc", total=store.count_documents(), disable=True if quiet else None, file=sys.stderr,
        leave=False,
    ) as bar:
        summary = run_rebuild(store, embeddings=not no_embeddings, progress=bar.update)
    click.echo(f"{summary.line()} ({store.path})", err=True)


@main.command()
@db_option
@click.option("--entity", default=None, metavar="NAME_OR_ID", help="Only what involves this entity (id or any name).")
@click.option("--story", default=None, metavar="ID", help="Only this story's events and claims.")
@reports_errors
def timeline(db: str | None, entity: str | None, story: str | None) -> None:
    """Print dated events and claims in date order (of one entity or one story)."""
    from threatwatch.stories.timeline import timeline as run_timeline

    with open_store(db, readonly=True) as store:
        entries = run_timeline(store, entity=entity, story=story)
    for entry in entries:
        click.echo(entry.line())
    if not entries:
        click.echo("nothing dated to show", err=True)


@main.command(name="eval")
@click.argument("dataset", type=click.Choice(EVAL_DATASETS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--workers", type=click.IntRange(1, 64), default=None)
@reports_errors
def evaluate(dataset: str, file: str, as_json: bool, workers: int | None) -> None:
    """Score the pipeline against a gold file (formats: shared/eval/README.md)."""
    from threatwatch.eval import boilerplate, events, ner
    from threatwatch.stories import evaluate as stories

    scorers = {"boilerplate": boilerplate.evaluate, "ner": ner.evaluate, "gtd": events.evaluate_gtd,
               "acled": events.evaluate_acled, "pairs": stories.evaluate_pairs, "clusters": stories.evaluate_clusters}
    if dataset not in scorers:
        raise ThreatwatchError(f"eval {dataset} is not built yet: this version scores {' and '.join(scorers)}")
    scores = scorers[dataset](file, workers=workers or min(4, os.cpu_count() or 1))
    if as_json:
        click.echo(json.dumps(scores, indent=2, ensure_ascii=False))
        return
    click.echo(f"{dataset}: {Path(file).name}")
    if "accuracy" in scores:
        click.echo(f"accuracy {scores['accuracy']:.4f}  ({scores['pairs']} pairs, {scores['same_story_gold']} same"
                   f" story; predicted same: {scores['true_same']} right, {scores['false_same']} wrong)")
        return
    if "metrics" in scores:
        counts = scores.get("scored_rows", {})
        for name, value in scores["metrics"].items():  # type: ignore[union-attr]
            click.echo(f"  {name}: {value:.4f}  (rows {counts.get(name, '?')})")  # type: ignore[union-attr]
        return
    click.echo(f"precision {scores['precision']:.4f}  recall {scores['recall']:.4f}  F1 {scores['f1']:.4f}")
    for kind, figures in scores.get("per_type", {}).items():  # type: ignore[union-attr]
        click.echo(f"  {kind}: P {figures['precision']:.4f}  R {figures['recall']:.4f}  F1 {figures['f1']:.4f}"
                   f"  (gold {figures['gold']})")


if __name__ == "__main__":
    main()
