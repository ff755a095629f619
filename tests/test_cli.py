"""The ticker-parse command line: main(argv) in process, and the installed script."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import BR_SAMPLES, OBSERVER_SEED
from ticker_parse.cli import OUTPUT_COLUMNS, main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_seed_prints_the_30_row_csv_with_validation_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One header row, then 30 rows with the documented columns, numbers as displayed."""
    code, out, err = run([str(OBSERVER_SEED)], capsys)
    assert code == 0
    assert out.splitlines()[0] == ",".join(OUTPUT_COLUMNS)
    table = rows(out)
    assert len(table) == 30
    assert [r["entry"] for r in table[:3]] == ["1", "2", "3"]
    airlink = table[1]
    assert (airlink["symbol"], airlink["price"], airlink["change"], airlink["percent"]) == (
        "AIRLINK",
        "197.36",
        "3.45",
        "0.02",
    )
    assert table[13]["price"] == "7"  # KOSM, as the strip shows it
    assert table[11]["price"] == "13.5"  # HUMNL
    assert {r["issues"] for r in table} == {"percent_as_fraction"}
    assert "30 of 30 percent figures are fractions" in err


def test_summary_goes_to_stderr_and_quiet_silences_it(capsys: pytest.CaptureFixture[str]) -> None:
    """--quiet leaves stderr empty and stdout unchanged."""
    _, out_loud, err_loud = run([str(OBSERVER_SEED)], capsys)
    _, out_quiet, err_quiet = run(["-q", str(OBSERVER_SEED)], capsys)
    assert "30 quotes, 30 flagged (percent_as_fraction 30)" in err_loud
    assert err_quiet == ""
    assert out_quiet == out_loud


def test_several_files_are_numbered_per_file(capsys: pytest.CaptureFixture[str]) -> None:
    """Each row names its source; entry numbers restart for each file."""
    code, out, _ = run(["-q", str(OBSERVER_SEED), *map(str, BR_SAMPLES)], capsys)
    table = rows(out)
    assert code == 0
    assert len(table) == 30 + 34 * 3
    assert table[30]["entry"] == "1"
    assert table[30]["source"].endswith(BR_SAMPLES[0].name)
    kse = next(r for r in table if r["symbol"] == "KSE100")
    assert kse["price"] == "47551"  # thousands separator dropped, digits as shown


def test_stdin_is_the_default_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no file, standard input is read and named <stdin>."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(OBSERVER_SEED.read_bytes())))
    code, out, _ = run(["-q"], capsys)
    assert code == 0
    table = rows(out)
    assert len(table) == 30
    assert table[0]["source"] == "<stdin>"


@pytest.mark.parametrize("opener", [gzip.open, bz2.open, lzma.open])
def test_compressed_inputs_are_decompressed(
    tmp_path: Path, opener: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """.gz, .bz2 and .xz inputs give the same rows as the plain file."""
    suffix = {gzip.open: ".gz", bz2.open: ".bz2", lzma.open: ".xz"}[opener]  # type: ignore[index]
    path = tmp_path / f"seed.txt{suffix}"
    with opener(path, "wb") as fh:  # type: ignore[operator]
        fh.write(OBSERVER_SEED.read_bytes())
    code, out, _ = run(["-q", str(path)], capsys)
    assert code == 0
    assert len(rows(out)) == 30


def test_output_file_is_written_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """-o writes the file; nothing goes to stdout."""
    target = tmp_path / "out.csv"
    code, out, _ = run(["-q", str(OBSERVER_SEED), "-o", str(target)], capsys)
    assert (code, out) == (0, "")
    assert len(rows(target.read_text(encoding="utf-8"))) == 30
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary left


def test_a_failed_run_leaves_an_existing_output_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unreadable input aborts before the rename: the old output survives, exit 1."""
    target = tmp_path / "out.csv"
    target.write_text("precious\n", encoding="utf-8")
    code, _, err = run(
        [str(OBSERVER_SEED), str(tmp_path / "missing.txt"), "-o", str(target)], capsys
    )
    assert code == 1
    assert target.read_text(encoding="utf-8") == "precious\n"
    assert err.strip().endswith("missing.txt: No such file or directory")
    assert "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_undecodable_bytes_name_the_file_and_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Invalid UTF-8 is one clear line with the byte offset; exit 1."""
    path = tmp_path / "bad.txt"
    path.write_bytes(b"AGL38.02\xe2\x96\xb2 0.08 (0.21%)\xff\xfe junk")
    code, _, err = run([str(path)], capsys)
    assert code == 1
    offset = len("AGL38.02▲ 0.08 (0.21%)".encode())  # 24: the arrow is 3 bytes
    assert err.strip() == (
        f"ticker-parse: {path}: cannot decode byte at offset {offset} as utf-8 (invalid start byte)"
    )


def test_encoding_errors_replace_counts_the_replaced_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--encoding-errors replace keeps going and says how many bytes it replaced."""
    path = tmp_path / "bad.txt"
    path.write_bytes(b"AGL38.02\xe2\x96\xb2 0.08 (0.21%)\xff\xfe junk")
    code, out, err = run(["--encoding-errors", "replace", str(path)], capsys)
    assert code == 0
    assert len(rows(out)) == 1
    assert "replaced 2 byte(s)" in err


def test_a_bom_is_honoured_and_other_encodings_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """UTF-16 with a BOM and --encoding cp1252 both decode correctly."""
    u16 = tmp_path / "u16.txt"
    u16.write_bytes("AGL38.02▲ 0.08 (0.21%)".encode("utf-16"))
    code, out, _ = run(["-q", str(u16)], capsys)
    assert (code, rows(out)[0]["symbol"]) == (0, "AGL")
    latin = tmp_path / "cp.txt"
    latin.write_bytes("AIRLINK 61.80 Increased By 1.37 (2.27%) – café".encode("cp1252"))
    code, out, _ = run(["-q", "--encoding", "cp1252", str(latin)], capsys)
    assert (code, rows(out)[0]["price"]) == (0, "61.80")


def test_residue_file_lists_what_was_not_parsed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--residue writes source, start, end, reason, text for every unparsed stretch."""
    target = tmp_path / "residue.csv"
    code, _, _ = run(["-q", str(OBSERVER_SEED), "--residue", str(target)], capsys)
    table = rows(target.read_text(encoding="utf-8"))
    assert code == 0
    assert list(table[0]) == ["source", "start", "end", "reason", "text"]
    assert table[0]["text"] == "Chinese and Russian technological ties"
    assert table[0]["reason"] == "unparsed_text"
    text = OBSERVER_SEED.read_text(encoding="utf-8")
    assert all(text[int(r["start"]) : int(r["end"])] == r["text"].lstrip("'") for r in table)


def test_strict_exits_1_when_a_quote_is_flagged(capsys: pytest.CaptureFixture[str]) -> None:
    """--strict turns flagged quotes into exit 1 (after writing the output)."""
    code, out, err = run(["--strict", str(OBSERVER_SEED)], capsys)
    assert code == 1
    assert len(rows(out)) == 30
    assert "--strict: 30 quote(s) flagged" in err
    assert run(["--strict", "-q", str(BR_SAMPLES[0])], capsys)[0] == 0


@pytest.mark.parametrize(
    "argv",
    [["--format", "xml"], ["--no-such-flag"], ["--format", "parquet"], ["-", "-"]],
)
def test_usage_errors_exit_2(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad flags, parquet to a terminal, stdin twice: exit 2 with a message, no traceback."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, _, err = run(argv, capsys)
    assert code == 2
    assert err.strip()
    assert "Traceback" not in err


def test_drop_duplicates_keeps_the_first_copy_of_a_repeated_strip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--drop-duplicates removes the second copy of a strip shown twice on a page."""
    path = tmp_path / "twice.txt"
    path.write_text("AGL38.02▲ 0.08 (0.21%)WTL1.6▲ 0.08 (5.26%)\n" * 2, encoding="utf-8")
    assert len(rows(run(["-q", str(path)], capsys)[1])) == 4
    table = rows(run(["-q", "--drop-duplicates", str(path)], capsys)[1])
    assert [(r["entry"], r["symbol"], r["start"]) for r in table] == [
        ("1", "AGL", "0"),
        ("2", "WTL", "22"),
    ]


def test_dialect_symbols_and_no_validate_reach_the_parser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dialect limits the formats read, --symbols settles splits, --no-validate skips checks."""
    path = tmp_path / "mixed.txt"
    path.write_text(
        "AB012.5▲ 0 (0.00%)\nAIRLINK 61.80 Increased By ▲ 1.37 (9.99%)\n", encoding="utf-8"
    )
    table = rows(run(["-q", str(path)], capsys)[1])
    assert [(r["symbol"], r["issues"]) for r in table] == [
        ("AB0", "ambiguous_symbol"),
        ("AIRLINK", "percent_mismatch"),
    ]
    table = rows(run(["-q", "--dialect", "brecorder", "--no-validate", str(path)], capsys)[1])
    assert [(r["symbol"], r["issues"]) for r in table] == [("AIRLINK", "")]
    table = rows(run(["-q", "--symbols", "AB01", str(path)], capsys)[1])
    assert table[0]["symbol"] == "AB01"


def test_unknown_encoding_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt --encoding exits 2 with one line."""
    code, _, err = run(["--encoding", "utf-99", str(OBSERVER_SEED)], capsys)
    assert code == 2
    assert err.strip() == "ticker-parse: unknown encoding 'utf-99'"


def test_text_cells_cannot_start_a_formula(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Residue text starting with = + - @ is defused; negative numbers stay numbers."""
    path = tmp_path / "inj.txt"
    path.write_text('=HYPERLINK("x")\nDFML35.74▼ -0.72 (-1.97%)\n', encoding="utf-8")
    residue = tmp_path / "r.csv"
    code, out, _ = run(["-q", str(path), "--residue", str(residue)], capsys)
    assert code == 0
    assert rows(out)[0]["change"] == "-0.72"
    assert rows(residue.read_text(encoding="utf-8"))[0]["text"].startswith("'=HYPERLINK")


def test_jsonl_numbers_are_exact(capsys: pytest.CaptureFixture[str]) -> None:
    """JSON lines carry the displayed figures as JSON numbers, exactly."""
    code, out, _ = run(["-q", "--format", "jsonl", str(OBSERVER_SEED)], capsys)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert len(records) == 30
    assert '"price": 197.36,' in out.splitlines()[1]
    assert (records[24]["symbol"], records[24]["percent"]) == ("TOMCL", 0.0)


def test_parquet_output_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--format parquet writes exact decimals readable by pandas."""
    from decimal import Decimal

    import pandas as pd

    target = tmp_path / "out.parquet"
    code, _, _ = run(["-q", str(OBSERVER_SEED), "-o", str(target)], capsys)
    frame = pd.read_parquet(target)
    assert code == 0
    assert len(frame) == 30
    assert (frame["price"][1], frame["percent"][1]) == (Decimal("197.36"), Decimal("0.02"))
    assert frame["expected_percent"][0] == 0.2109


def _script() -> list[str]:
    exe = shutil.which("ticker-parse", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "ticker_parse"]


def test_installed_console_script_converts_the_seed() -> None:
    """The console script runs in a subprocess and prints the CSV."""
    proc = subprocess.run(
        [*_script(), str(OBSERVER_SEED)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert len(rows(proc.stdout)) == 30


def test_python_dash_m_runs_the_same_command() -> None:
    """python -m ticker_parse behaves like the console script."""
    proc = subprocess.run(
        [sys.executable, "-m", "ticker_parse", "-q", str(OBSERVER_SEED)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert len(rows(proc.stdout)) == 30


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`ticker-parse big | head -1` stops without a traceback."""
    big = tmp_path / "big.txt"
    big.write_text(
        OBSERVER_SEED.read_text(encoding="utf-8").split("\n")[0] * 3000, encoding="utf-8"
    )
    with subprocess.Popen(
        [*_script(), "-q", str(big)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        assert proc.stdout.readline().startswith(b"source,entry,symbol")
        proc.stdout.close()
        err = proc.stderr.read().decode()
        proc.wait(timeout=60)
    assert "Traceback" not in err
    assert proc.returncode == 0


def test_verbose_shows_the_traceback_of_an_expected_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--verbose adds the traceback before the one-line message."""
    code, _, err = run(["--verbose", str(tmp_path / "missing.txt")], capsys)
    assert code == 1
    assert "Traceback" in err


def test_progress_is_shown_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    """--progress always writes a progress line to stderr; auto stays off when not a tty."""
    _, _, err = run(["-q", "--progress", "always", str(OBSERVER_SEED)], capsys)
    assert "100.0%" in err
    _, _, err = run(["-q", str(OBSERVER_SEED)], capsys)
    assert err == ""


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_new_output_files_get_the_mode_of_any_new_file(
    tmp_path: Path, umask: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o (CSV, JSONL, Parquet) and --residue files get 0o666 & ~umask, as `>` would give."""
    old = os.umask(umask)
    try:
        for name in ("out.csv", "out.jsonl", "out.parquet"):
            target, residue = tmp_path / name, tmp_path / f"residue-{name}.csv"
            code, _, _ = run(
                ["-q", str(OBSERVER_SEED), "-o", str(target), "--residue", str(residue)], capsys
            )
            assert code == 0
            assert (_mode(target), _mode(residue)) == (0o666 & ~umask, 0o666 & ~umask)
    finally:
        os.umask(old)


def test_a_replaced_output_keeps_its_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Overwriting an existing file keeps that file's permission bits."""
    target, residue = tmp_path / "out.csv", tmp_path / "residue.csv"
    for path, mode in ((target, 0o600), (residue, 0o664)):
        path.write_text("old\n", encoding="utf-8")
        path.chmod(mode)
    code, _, _ = run(
        ["-q", str(OBSERVER_SEED), "-o", str(target), "--residue", str(residue)], capsys
    )
    assert code == 0
    assert len(rows(target.read_text(encoding="utf-8"))) == 30
    assert (_mode(target), _mode(residue)) == (0o600, 0o664)


def test_the_installed_script_writes_files_with_the_umask_mode(tmp_path: Path) -> None:
    """The console script, run as a user runs it, honours the umask for -o and --residue."""
    target, residue = tmp_path / "out.parquet", tmp_path / "residue.csv"
    proc = subprocess.run(
        [*_script(), "-q", str(OBSERVER_SEED), "-o", str(target), "--residue", str(residue)],
        capture_output=True,
        text=True,
        check=False,
        umask=0o027,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert (_mode(target), _mode(residue)) == (0o640, 0o640)


def test_ctrl_c_leaves_no_half_written_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An interrupt mid-conversion exits 130; the old file stays and no temporary is left."""
    import ticker_parse.cli as cli

    real = cli._output

    def interrupted(frame: pd.DataFrame) -> pd.DataFrame:
        real(frame)
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_output", interrupted)
    target = tmp_path / "out.csv"
    target.write_text("precious\n", encoding="utf-8")
    code, _, err = run([str(OBSERVER_SEED), "-o", str(target)], capsys)
    assert (code, err) == (130, "ticker-parse: interrupted\n")
    assert target.read_text(encoding="utf-8") == "precious\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing-dir/out.csv", "No such file or directory"),
        ("a-file.txt/out.csv", "Not a directory"),
        (".", "Is a directory"),
        ("sub/", "Is a directory"),
    ],
)
@pytest.mark.parametrize("option", ["-o", "--residue"])
def test_an_unwritable_destination_is_named_as_typed_before_any_work(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
    option: str,
    message: str,
) -> None:
    """One line naming the path typed (never the hidden temporary), exit 1, nothing written.

    The destination is checked first: a missing input named too is not what is reported.
    """
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file.txt").write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = [str(OBSERVER_SEED), "missing-input.txt", option, where]
    if option == "--residue":
        argv += ["-o", "out.csv"]
    code, out, err = run(argv, capsys)
    assert (code, out, err) == (1, "", f"ticker-parse: {where}: {message}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not any(p.name.startswith(".ticker-parse") for p in tmp_path.rglob("*"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_directory_is_named_as_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No permission to create files in the directory: one line naming the path, exit 1."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    target = locked / "out.csv"
    code, _, err = run([str(OBSERVER_SEED), "-o", str(target)], capsys)
    assert (code, err) == (1, f"ticker-parse: {target}: Permission denied\n")


def test_the_installed_script_names_a_bad_output_path_as_typed(tmp_path: Path) -> None:
    """`ticker-parse -o /nonexistent/dir/out.csv` and `-o DIR`: exit 1, one line, no traceback."""
    for target, message in (
        (str(tmp_path / "nonexistent" / "out.csv"), "No such file or directory"),
        (str(tmp_path), "Is a directory"),
    ):
        proc = subprocess.run(
            [*_script(), str(OBSERVER_SEED), "-o", target],
            capture_output=True,
            text=True,
            check=False,
        )
        assert (proc.returncode, proc.stdout) == (1, "")
        assert proc.stderr == f"ticker-parse: {target}: {message}\n"
    assert list(tmp_path.iterdir()) == []


def test_csv_quotes_only_the_cells_that_need_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Commas, quotes and line breaks are quoted (quotes doubled); other cells are bare."""
    path = tmp_path / 'page,"one".txt'
    path.write_text('AGL38.02▲ 0.08 (0.21%)said "x,y" here\n', encoding="utf-8")
    residue = tmp_path / "r.csv"
    code, out, _ = run(["-q", str(path), "--residue", str(residue)], capsys)
    assert code == 0
    quoted_source = '"' + str(path).replace('"', '""') + '"'
    assert out.splitlines()[1].startswith(f"{quoted_source},1,AGL,38.02,up,0.08,0.21,")
    assert rows(out)[0]["source"] == str(path)
    text = residue.read_text(encoding="utf-8")
    assert text.startswith("source,start,end,reason,text\n")
    assert [r["text"] for r in rows(text)] == ['said "x,y" here']
    assert text.splitlines()[1].endswith(',"said ""x,y"" here"')


def test_the_cli_does_not_import_polars() -> None:
    """polars is on its way out as a dependency: the CLI writes CSV with pyarrow."""
    import ticker_parse.cli as cli

    assert "polars" not in Path(cli.__file__).read_text(encoding="utf-8")


def test_csv_cells_with_line_breaks_are_quoted() -> None:
    """A CR or LF inside a cell is quoted; empty and missing text are empty cells."""
    import pandas as pd

    from ticker_parse.cli import _csv_bytes

    frame = pd.DataFrame({"a": ["x\ny", "p\rq", "", None], "b": [1, 2, 3, 4]})
    assert bytes(_csv_bytes(frame)) == b'"x\ny",1\n"p\rq",2\n,3\n,4\n'


def test_expected_percent_is_written_rounded_to_4_decimals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CSV and JSONL write expected_percent to 4 places, halves to even, the same text."""
    import numpy as np
    import pandas as pd

    from ticker_parse.cli import _rounded

    _, out, _ = run(["-q", str(OBSERVER_SEED)], capsys)
    table = rows(out)
    assert table[0]["expected_percent"] == "0.2109"  # 0.21085925144965734 before
    assert all(len(r["expected_percent"].partition(".")[2]) <= 4 for r in table)
    _, out, _ = run(["-q", "--format", "jsonl", str(OBSERVER_SEED)], capsys)
    assert [
        f'"expected_percent": {r["expected_percent"]},' in line
        for r, line in zip(table, out.splitlines(), strict=True)
    ] == [True] * 30
    values = pd.Series([0.00025, 0.00035, -0.00001, 2.0, np.nan])
    assert str(_rounded(values).tolist()) == "[0.0002, 0.0004, 0.0, 2.0, nan]"


def _read_parquet(data: bytes | Path) -> object:
    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(data) if isinstance(data, bytes) else data)


def test_parquet_has_one_schema_whatever_the_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Chunks whose figures have other widths go into one file (the schema once crashed)."""
    from decimal import Decimal

    from ticker_parse.cli import PARQUET_SCHEMA

    path = tmp_path / "two.txt"
    path.write_text(
        "AGL38.02▲ 0.08 (0.21%)WTL1.6▲ 0.08 (5.26%)\n" * 40_000
        + "XYZ12345.6789▲ 1.2345 (0.0100%)\n",
        encoding="utf-8",
    )  # more than one 1 MiB block; the last one has 4-decimal figures
    target = tmp_path / "out.parquet"
    code, _, err = run(["-q", str(path), "-o", str(target)], capsys)
    assert (code, err) == (0, "")
    table = _read_parquet(target)
    assert table.schema.equals(PARQUET_SCHEMA)  # type: ignore[attr-defined]
    assert table.num_rows == 80_001  # type: ignore[attr-defined]
    assert table.column("price")[-1].as_py() == Decimal("12345.6789")  # type: ignore[attr-defined]


@pytest.mark.parametrize(("content", "name"), [(b"", "zero-bytes"), (b" \n\t\n", "blank")])
def test_an_input_with_no_quotes_still_writes_a_complete_file(
    tmp_path: Path, content: bytes, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """CSV: the header; JSONL: an empty file; Parquet: a valid file with the full schema."""
    from ticker_parse.cli import PARQUET_SCHEMA

    path = tmp_path / f"{name}.txt"
    path.write_bytes(content)
    header = ",".join(OUTPUT_COLUMNS) + "\n"
    assert run(["-q", str(path)], capsys)[:2] == (0, header)
    for suffix in ("csv", "jsonl", "parquet"):
        target = tmp_path / f"out.{suffix}"
        assert run(["-q", str(path), "-o", str(target)], capsys)[0] == 0
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == header
    assert (tmp_path / "out.jsonl").read_bytes() == b""
    table = _read_parquet(tmp_path / "out.parquet")
    assert table.num_rows == 0  # type: ignore[attr-defined]
    assert table.schema.equals(PARQUET_SCHEMA)  # type: ignore[attr-defined]
    assert table.column_names == list(OUTPUT_COLUMNS)  # type: ignore[attr-defined]


def test_the_installed_script_writes_complete_empty_files(tmp_path: Path) -> None:
    """A 0-byte input through the console script: header, empty JSONL, readable Parquet."""
    import pyarrow as pa

    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for suffix in ("csv", "jsonl", "parquet"):
        proc = subprocess.run(
            [*_script(), "-q", str(empty), "-o", str(tmp_path / f"out.{suffix}")],
            capture_output=True,
            check=False,
        )
        assert (proc.returncode, proc.stderr) == (0, b"")
    assert (tmp_path / "out.csv").read_bytes() == (",".join(OUTPUT_COLUMNS) + "\n").encode()
    assert (tmp_path / "out.jsonl").read_bytes() == b""
    schema = _read_parquet(tmp_path / "out.parquet").schema  # type: ignore[attr-defined]
    assert schema.names == list(OUTPUT_COLUMNS)
    assert schema.field("price").type == pa.decimal128(38, 8)
    assert schema.field("entry").type == pa.int64()
    assert schema.field("expected_percent").type == pa.float64()


def test_parquet_goes_to_standard_output_when_it_is_not_a_terminal(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    """--format parquet without -o writes the file to a redirected stdout."""
    code = main(["-q", "--format", "parquet", str(OBSERVER_SEED)])
    out, err = capsysbinary.readouterr()
    assert (code, err) == (0, b"")
    assert _read_parquet(out).num_rows == 30  # type: ignore[attr-defined]


def test_the_installed_script_writes_parquet_to_a_redirected_stdout(tmp_path: Path) -> None:
    """`ticker-parse --format parquet seed > out.parquet` gives a valid file, exit 0."""
    target = tmp_path / "out.parquet"
    with target.open("wb") as fh:
        proc = subprocess.run(
            [*_script(), "-q", "--format", "parquet", str(OBSERVER_SEED)],
            stdout=fh,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert _read_parquet(target).num_rows == 30  # type: ignore[attr-defined]


def test_parquet_is_not_written_to_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only a terminal stdout is refused: exit 2, one line, nothing read."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = run(["--format", "parquet", str(OBSERVER_SEED)], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("ticker-parse: Parquet is binary and is not written to a terminal")


def test_markup_flag_forces_how_the_input_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--markup html renders a page the content check would not take for HTML."""
    path = tmp_path / "one-tag.txt"
    path.write_text("AGL<wbr>38.02▲ 0.08 (0.21%)\n", encoding="utf-8")
    code, out, _ = run(["-q", str(path)], capsys)
    assert code == 0
    assert rows(out) == []  # one tag is no evidence of HTML: read as text, no entry
    code, out, _ = run(["-q", str(path), "--markup", "html"], capsys)
    assert code == 0
    assert [r["symbol"] for r in rows(out)] == ["AGL"]
    code, out, _ = run(["-q", str(path), "--markup", "text"], capsys)
    assert code == 0
    assert rows(out) == []


def test_an_output_that_is_also_an_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o naming one of the inputs would overwrite it: a usage error, the input untouched."""
    path = tmp_path / "s.txt"
    path.write_text("AGL38.02▲ 0.08 (0.21%)\n", encoding="utf-8")
    code, _, err = run([str(path), "-o", str(path)], capsys)
    assert code == 2
    assert "also an input" in err
    assert path.read_text(encoding="utf-8") == "AGL38.02▲ 0.08 (0.21%)\n"


@pytest.mark.parametrize(
    "argv",
    [["--encoding", "hex"], ["--encoding", "rot13"], ["--captured-at", "3000-01-01"]],
)
def test_options_that_cannot_work_are_usage_errors(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A non-text encoding or a capture time out of range: exit 2, one line, no traceback."""
    code, _, err = run([*argv, str(OBSERVER_SEED)], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
