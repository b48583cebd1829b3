"""The commands as a user types them: store selection, export formats, search output, eval."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from tests.helpers import ARTICLE_EN, html_page, long_paragraphs
from threatwatch.cli import main, parse_size


def _ingest(tmp_path: Path, env: dict[str, str] | None = None, db: Path | None = None) -> Path:
    (tmp_path / "in").mkdir(exist_ok=True)
    (tmp_path / "in" / "a.txt").write_text(ARTICLE_EN, "utf-8")
    (tmp_path / "in" / "b.txt").write_text("Kabul blast\n" + "\n".join(long_paragraphs("Kabul")), "utf-8")
    args = ["ingest", "--quiet", str(tmp_path / "in")] + (["--db", str(db)] if db else [])
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    return tmp_path / "in"


def test_db_comes_from_the_option_then_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    _ingest(tmp_path, env={"THREATWATCH_DB": str(tmp_path / "env.db")})
    assert (tmp_path / "env.db").exists() and not (tmp_path / "threatwatch.db").exists()
    _ingest(tmp_path, env={"THREATWATCH_DB": ""})
    assert (tmp_path / "threatwatch.db").exists()


def test_export_documents_jsonl_and_csv(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _ingest(tmp_path, db=db)
    runner = CliRunner()
    out = runner.invoke(main, ["export", "documents", "--db", str(db)])
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 2
    assert set(rows[0]) == {"id", "path", "url", "title", "published", "source", "lang", "langs", "text",
                            "story_id", "duplicate_of"}
    out_file = tmp_path / "docs.csv"
    args = ["export", "documents", "--db", str(db), "--format", "csv", "-o", str(out_file)]
    assert runner.invoke(main, args).exit_code == 0
    table = list(csv.DictReader(io.StringIO(out_file.read_text("utf-8"))))
    assert {r["id"] for r in table} == {r["id"] for r in rows}
    assert all(r["langs"] == "en" for r in table)


def test_export_stories_writes_one_record_per_story(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _ingest(tmp_path, db=db)
    result = CliRunner().invoke(main, ["export", "stories", "--db", str(db)])
    stories = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0 and len(stories) == 2, "a Moscow concert attack and a Kabul blast: two stories"
    assert all(len(s["doc_ids"]) == 1 and s["id"].startswith("st-") for s in stories)


def test_search_text_and_json(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _ingest(tmp_path, db=db)
    runner = CliRunner()
    text = runner.invoke(main, ["search", "Crocus", "--db", str(db)])
    assert text.exit_code == 0 and "1 document(s) match" in text.stdout and "[Crocus]" in text.stdout
    data = json.loads(runner.invoke(main, ["search", "Kabul", "--db", str(db), "--json"]).stdout)
    assert data["total"] == 1
    assert set(data["results"][0]) == {"doc_id", "title", "snippet", "lang", "published"}


def test_search_without_a_store_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["search", "x", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: no store at") and len(result.stderr.splitlines()) == 1


def test_eval_boilerplate_scores_pages(tmp_path: Path) -> None:
    body = long_paragraphs("the siege", 4)
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps({"id": "p1", "url": "https://example.org/p1", "html": html_page("Siege", body),
                                 "articleBody": "\n".join(body)}) + "\n", "utf-8")
    result = CliRunner().invoke(main, ["eval", "boilerplate", str(pages), "--json", "--workers", "1"])
    scores = json.loads(result.stdout)
    assert scores["pages"] == 1 and scores["rejected"] == 0
    assert scores["f1"] > 0.9 and scores["recall"] > 0.95


def test_sizes() -> None:
    assert parse_size("20MB") == 20_000_000
    assert parse_size("1GiB") == 1024**3
    assert parse_size("512") == 512
    result = CliRunner().invoke(main, ["ingest", "--max-file-size", "lots", "x.txt"])
    assert result.exit_code == 2 and "is not a size" in result.output
