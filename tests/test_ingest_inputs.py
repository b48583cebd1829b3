"""Every input format is read, and bad input is rejected one file at a time with a reason."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.helpers import ARTICLE_EN, html_page, long_paragraphs, write_warc
from threatwatch.cli import main
from threatwatch.ingest import read_inputs
from threatwatch.pipeline import ingest
from threatwatch.records import RawDocument, Rejection


def test_text_html_jsonl_and_warc_are_all_read(tmp_path: Path, store) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE_EN, "utf-8")
    (tmp_path / "b.html").write_text(html_page("Bombing in Kabul", long_paragraphs("Kabul")), "utf-8")
    (tmp_path / "c.jsonl").write_text(
        json.dumps({"text": "\n".join(long_paragraphs("Mosul")), "title": "Mosul", "url": "https://example.org/m",
                    "published": "2017-07-10", "source": "Example Wire"}) + "\n", "utf-8")
    page = html_page("Raid in Idlib", long_paragraphs("Idlib"))
    write_warc(tmp_path / "d.warc.gz", [("https://example.org/w1", page)], gzipped=True)
    summary = ingest(store, [tmp_path])
    assert (summary.stored, summary.duplicates, summary.rejected) == (4, 0, [])
    docs = {Path(d.path.split("#")[0].split(":")[0]).name: d for d in store.documents()}
    assert docs["c.jsonl"].title == "Mosul" and docs["c.jsonl"].published == "2017-07-10"
    assert docs["c.jsonl"].source == "Example Wire" and docs["c.jsonl"].url == "https://example.org/m"
    assert docs["d.warc.gz"].url == "https://example.org/w1"
    assert docs["d.warc.gz"].source == "example.org"
    assert "Idlib" in docs["d.warc.gz"].text and "All rights reserved" not in docs["d.warc.gz"].text
    assert docs["b.html"].title == "Bombing in Kabul"


def test_latin1_french_file_reads_right(tmp_path: Path, store) -> None:
    text = ("Attentat à Nice : le bilan s'alourdit\n"
            "Le camion a foncé sur la foule réunie sur la promenade des Anglais le soir du 14 juillet, "
            "a déclaré le procureur, qui a précisé que l'enquête était confiée au parquet antiterroriste.\n")
    (tmp_path / "nice.txt").write_bytes(text.encode("latin-1"))
    ingest(store, [tmp_path])
    (doc,) = list(store.documents())
    assert "promenade des Anglais" in doc.text and "a déclaré le procureur" in doc.text
    assert doc.lang == "fr"


def test_bad_files_are_rejected_and_the_rest_is_stored(tmp_path: Path, store) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE_EN, "utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "big.txt").write_text("word " * 5000, "utf-8")
    (tmp_path / "lines.jsonl").write_text('{"text": "x"\n{"title": "no text"}\n[1, 2]\n', "utf-8")
    summary = ingest(store, [tmp_path], max_bytes=20_000)
    reasons = {Path(r.path).name: r.reason for r in summary.rejected}
    assert summary.stored == 1
    assert "binary" in reasons["binary.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "limit" in reasons["big.txt"] and "--max-file-size" in reasons["big.txt"]
    assert "invalid JSON" in reasons["lines.jsonl:1"]
    assert '"text" or "html"' in reasons["lines.jsonl:2"]
    assert "not a JSON object" in reasons["lines.jsonl:3"]


def test_truncated_warc_keeps_the_records_before_the_damage(tmp_path: Path) -> None:
    pages = [(f"https://example.org/{i}", html_page(f"Story {i}", long_paragraphs(f"story {i}"))) for i in range(3)]
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole, pages, gzipped=True)
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    items = list(read_inputs([cut]))
    kept = [i for i in items if isinstance(i, RawDocument)]
    rejected = [i for i in items if isinstance(i, Rejection)]
    assert 1 <= len(kept) < 3
    assert len(rejected) == 1 and "truncated or corrupt" in rejected[0].reason


def test_gz_name_on_plain_data_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "fake.warc.gz").write_bytes(b"WARC/1.0\r\n" + b"x" * 100)
    (item,) = list(read_inputs([tmp_path / "fake.warc.gz"]))
    assert isinstance(item, Rejection) and "not gzip" in item.reason


def test_unsupported_and_missing_paths_are_named(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    items = list(read_inputs([tmp_path / "scan.pdf", tmp_path / "nowhere.txt"]))
    assert [type(i) for i in items] == [Rejection, Rejection]
    assert "unsupported file type" in items[0].reason and "no such file" in items[1].reason


def test_cli_prints_one_line_per_rejection_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE_EN, "utf-8")
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    db = tmp_path / "s.db"
    result = CliRunner().invoke(main, ["ingest", "--db", str(db), "--quiet", str(tmp_path)])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("rejected")]
    assert lines == [f"rejected {tmp_path / 'empty.txt'}: empty file: there is no text to ingest"]
    assert "stored 1, duplicates 0, rejected 1" in result.stderr
    again = CliRunner().invoke(main, ["ingest", "--db", str(db), "--quiet", str(tmp_path / "good.txt")])
    assert again.exit_code == 0 and "stored 0, duplicates 1, rejected 0" in again.stderr
