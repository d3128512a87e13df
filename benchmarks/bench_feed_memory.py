"""Does `kpfnlp summarize` stream? Peak memory and row accounting on a 1 GiB feed versus a 10 MB one.

Two synthetic JSONL feeds (Korean news-like articles of 1,500-3,000 characters, `id`/`title`/`text`, with a
truncated JSON line, an empty text and an English text about every 97 lines, and a blank line every 499 lines)
are written to a temp dir and deleted at the end (unless --keep). Every run is a fresh subprocess whose peak RSS
is taken from the kernel (`wait4` rusage, ru_maxrss) and whose VmRSS is sampled every 0.5 s from /proc.

1. Whole-feed pass: the real `kpfnlp summarize` command (typer app, `run_batch`, `FeedWriter`, the
   `Summarizer.summarize_batch` pipeline with its regex-backend sentence splitting, noise filter, trigram
   blocking) over the whole 1 GiB feed and the 10 MB feed, with only the neural scorer swapped for Lead
   positions (the Lead-3 baseline on the summarizer's candidates): the neural model would take hours on 1 GiB.
2. Model pass: the unmodified `kpfnlp summarize` CLI with the bundled summarizer (or --model DIR; if neither
   exists, an untrained BertSumExt on the bundled kpfnlp-mini backbone, saved to the temp dir; weights do not
   change memory) on the first N lines of the big feed versus the first 4N lines (`head -n`).

Every output is checked row by row: one row per non-blank input line, ids in input order, error set exactly on
the bad rows.

    nice -n 19 python benchmarks/bench_feed_memory.py                        # 1 GiB and 10 MB, N = 200
    nice -n 19 python benchmarks/bench_feed_memory.py --size-mb 100 --small-mb 5 --rows 50 --model DIR --keep
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import numpy as np

from kpfnlp.summarize.summarizer import DEFAULT_MODEL_DIR, Summarizer
from kpfnlp.text import SentenceSplitter

MB = 1024 * 1024
SAMPLE_SECONDS = 0.5
WORKER_TAG = "bench-worker "
CLI_LINE = re.compile(r"([\d,]+) rows written \(([\d,]+) error rows\).*?([\d.]+) articles/s")

NAMES = ["김민수", "이서연", "박지훈", "최유진", "정현우", "강다은", "조성민", "윤하늘", "장예린", "임도현", "한지우"]
ROLES = ["장관", "시장", "대표", "위원장", "교수", "국장", "본부장", "연구위원"]
PLACES = ["서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기 수원", "강원 춘천", "충북 청주", "제주"]
ORGS = ["보건복지부", "국토교통부", "산업통상자원부", "서울시", "부산시", "한국전력", "교육부", "환경부"]
TOPICS = ["저출생", "전세사기", "미세먼지", "청년 일자리", "반도체 수출", "지역 소멸", "의료 인력", "물가 안정"]
TEMPLATES = [
    "{place} {org}는 {month}월 {day}일 {topic} 관련 대책을 발표하고 올해 예산 {n}억원을 투입하겠다고 밝혔다.",
    '{name} {role}은 이날 기자간담회에서 "{topic} 문제를 해결하기 위해 관계 기관과 긴밀히 협력하겠다"고 말했다.',
    "통계청에 따르면 지난 {month}월 {topic} 관련 지표는 전년 같은 기간보다 {pct}% 증가한 것으로 집계됐다.",
    "업계에서는 이번 조치로 {place} 지역에서만 약 {n}개의 일자리가 새로 생길 것으로 내다봤다.",
    '{org} 관계자는 "현장의 목소리를 반영해 세부 계획을 {month}월까지 마련할 것"이라고 설명했다.',
    "전문가들은 {topic} 정책의 효과가 나타나기까지 최소 {k}년 이상 걸릴 수 있다고 지적했다.",
    "{name} {role}은 {year}년부터 관련 업무를 맡아 왔으며, 이번 사업의 총괄 책임을 맡는다.",
    "한편 {place}에서는 지난해 {topic} 관련 민원이 {n}건 접수돼 전년 대비 {pct}% 늘었다.",
    "정부는 {month}월 중 공청회를 열어 시민 의견을 수렴한 뒤 {topic} 최종안을 확정할 계획이다.",
    "{org}는 {topic} 분야 중소기업 {n}곳을 선정해 최대 {k}억원의 지원금을 지급하기로 했다.",
    '시민단체들은 "{topic} 대책이 여전히 현실과 동떨어져 있다"며 {org}에 보완을 요구했다.',
    "이번 발표는 {year}년 {month}월 이후 {k}년 만에 나온 {topic} 종합 대책이라는 점에서 주목된다.",
    '{place} 주민 {name}씨는 "그동안 불편이 컸는데 이번에는 실질적인 변화가 있기를 바란다"고 했다.',
    "한국은행은 {topic} 여건을 감안해 기준금리를 연 {pct}%로 유지한다고 밝혔다.",
]
ENGLISH = (
    "The Bank of Korea kept its base rate unchanged on Thursday, citing slowing inflation and weak exports. "
    "Analysts expect the central bank to start cutting rates later this year as household debt stabilises. "
) * 6


@dataclass
class Feed:
    """A generated feed: path, size in bytes, lines, rows (non-blank lines), rows that must come out as errors."""

    path: Path
    size_bytes: int = 0
    lines: int = 0
    rows: int = 0
    bad_rows: int = 0


@dataclass
class Measured:
    """One measured subprocess: kernel peak RSS, VmRSS samples (MB) taken while it wrote output, wall time, stdout."""

    peak_rss_mb: float
    samples: list[float]
    writing: list[float]
    seconds: float
    stdout: str

    @property
    def drift(self) -> tuple[float, float] | None:
        """VmRSS at the first sample with output written and at the last sample (None: fewer than two such)."""
        return (self.writing[0], self.writing[-1]) if len(self.writing) > 1 else None


@dataclass
class Accounting:
    """What the output holds against what the input says it must: rows, error rows, first mismatch."""

    rows: int = 0
    errors: int = 0
    expected_rows: int = 0
    expected_errors: int = 0
    mismatch: str | None = None

    @property
    def ok(self) -> bool:
        return self.mismatch is None and (self.rows, self.errors) == (self.expected_rows, self.expected_errors)


@dataclass
class Result:
    """One table row."""

    name: str
    feed: str
    input_bytes: int
    run: Measured
    accounting: Accounting
    commands: list[str] = field(default_factory=list)
    rss_after_imports_mb: float | None = None


class LeadSummarizer(Summarizer):
    """`Summarizer` without a network: sentences scored by position, so `summarize_batch` (normalise, split,
    candidates, trigram-blocked selection, noise cut) picks the first k candidates (Lead-3 after noise removal)."""

    def __init__(self, backend: str) -> None:  # no model, tokenizer or windows: `score` is all that needed them
        self.splitter = SentenceSplitter(backend)

    def score(self, articles: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Earlier sentences score higher: 1, 1/2, 1/3, ..."""
        return [1.0 / np.arange(1, len(sentences) + 1) for sentences in articles]


def line_kind(lineno: int) -> str:
    """What line `lineno` (1-based) of a feed holds: blank, malformed, empty, english or good."""
    if lineno % 499 == 50:
        return "blank"
    if lineno % 97 == 13:
        return ("malformed", "empty", "english")[(lineno // 97) % 3]
    return "good"


def row_id(kind: str, lineno: int, feed_name: str) -> str:
    """The id the output must carry for a non-blank line (a malformed line gets the feed's `file:line N`)."""
    return f"{feed_name}:line {lineno}" if kind == "malformed" else f"{kind}-{lineno:08d}"


def article(rng: random.Random) -> tuple[str, str]:
    """A news-like (title, text): 1,500-3,000 characters of template sentences in paragraphs, then a byline."""

    def fill(template: str) -> str:
        return template.format(
            name=rng.choice(NAMES),
            role=rng.choice(ROLES),
            place=rng.choice(PLACES),
            org=rng.choice(ORGS),
            topic=rng.choice(TOPICS),
            month=rng.randint(1, 12),
            day=rng.randint(1, 28),
            year=rng.randint(2005, 2024),
            n=f"{rng.randint(2, 9_999):,}",
            k=rng.randint(2, 15),
            pct=f"{rng.uniform(0.5, 40):.1f}",
        )

    target, paragraphs, length = rng.randint(1_500, 3_000), [], 0
    while length < target:
        paragraph = " ".join(fill(rng.choice(TEMPLATES)) for _ in range(rng.randint(2, 4)))
        paragraphs.append(paragraph)
        length += len(paragraph) + 1
    byline = f"{rng.choice(NAMES)} 기자 reporter{rng.randint(1, 999)}@news.co.kr"
    title = fill("{place} {topic} 대책 발표…{n}억원 투입")
    return title, "\n".join([*paragraphs, byline])


def write_feed(path: Path, size_bytes: int, seed: int) -> Feed:
    """Write a JSONL feed of at least `size_bytes` (whole lines), laid out by `line_kind`."""
    rng, feed = random.Random(seed), Feed(path)
    with path.open("wb") as out:
        while feed.size_bytes < size_bytes:
            feed.lines += 1
            kind = line_kind(feed.lines)
            if kind == "blank":
                data = b"\n"
            else:
                title, text = article(rng)
                text = {"empty": "", "english": ENGLISH}.get(kind, text)
                record = {"id": row_id(kind, feed.lines, path.name), "title": title, "text": text}
                line = json.dumps(record, ensure_ascii=False)
                data = ((line[: len(line) // 2] if kind == "malformed" else line) + "\n").encode()
                feed.rows += 1
                feed.bad_rows += kind != "good"
            out.write(data)
            feed.size_bytes += len(data)
    return feed


def prefix_feed(source: Feed, lines: int, target: Path) -> tuple[Feed, str]:
    """The first `lines` lines of `source` (by `head -n`) as a feed, and the command that wrote it."""
    with target.open("wb") as out:
        subprocess.run(["head", "-n", str(lines), str(source.path)], stdout=out, check=True)
    feed = Feed(target, target.stat().st_size, min(lines, source.lines))
    kinds = [line_kind(n) for n in range(1, feed.lines + 1)]
    feed.rows = sum(k != "blank" for k in kinds)
    feed.bad_rows = sum(k not in ("blank", "good") for k in kinds)
    return feed, f"head -n {lines} {source.path} > {target}"


def expected_rows(feed_name: str, lines: int) -> Iterator[tuple[str, bool]]:
    """(id, is_error) of each output row the first `lines` lines of a generated feed must give, in order."""
    for lineno in range(1, lines + 1):
        kind = line_kind(lineno)
        if kind != "blank":
            yield row_id(kind, lineno, feed_name), kind != "good"


def check_output(output: Path, feed: Feed) -> Accounting:
    """Stream the output and compare it row by row with the input's layout."""
    acc = Accounting(expected_rows=feed.rows, expected_errors=feed.bad_rows)
    expected = expected_rows(feed.path.name, feed.lines)
    with output.open(encoding="utf-8") as rows:
        for line in rows:
            record = json.loads(line)
            acc.rows += 1
            acc.errors += record["error"] is not None
            want = next(expected, None)
            got = (record["id"], record["error"] is not None)
            if acc.mismatch is None and got != want:
                acc.mismatch = f"output row {acc.rows}: got (id, is_error) {got}, expected {want}"
    if acc.mismatch is None and next(expected, None) is not None:
        acc.mismatch = f"output ends after {acc.rows} rows; the input has {feed.rows}"
    return acc


def _vmrss_mb(pid: int) -> float | None:
    """Current VmRSS of a process from /proc (None once it has gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def measure(cmd: list[str], env: dict[str, str], log: Path, output: Path) -> Measured:
    """Run `cmd`, sampling its VmRSS every 0.5 s (and whether `output` has rows yet, i.e. imports and model
    loading are over); its peak RSS comes from the kernel when it is reaped."""
    started = time.perf_counter()
    samples: list[float] = []
    writing: list[float] = []
    with log.with_suffix(".out").open("w") as out, log.with_suffix(".err").open("w") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if (rss := _vmrss_mb(proc.pid)) is not None:
                samples.append(rss)
                if output.is_file() and output.stat().st_size:
                    writing.append(rss)
            time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.with_suffix(".err").read_text(errors="replace")[-3000:]
        raise SystemExit(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{tail}")
    stdout = log.with_suffix(".out").read_text(encoding="utf-8")
    return Measured(usage.ru_maxrss / 1024, samples, writing, seconds, stdout)


def cli_command() -> list[str]:
    """The `kpfnlp` console script of this interpreter (`python -m kpfnlp` if it has none)."""
    script = Path(sys.executable).with_name("kpfnlp")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kpfnlp"]


def worker(input_path: str, output_path: str) -> None:
    """Child of the whole-feed pass: `kpfnlp summarize --backend regex` in-process with the Lead scorer."""
    from kpfnlp.cli import app

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(WORKER_TAG + json.dumps({"rss_after_imports_mb": rss}), flush=True)
    args = ["summarize", input_path, "-o", output_path, "--backend", "regex", "--no-resume"]
    with mock.patch.object(Summarizer, "from_pretrained", lambda path=None, backend="kiwi": LeadSummarizer(backend)):
        code = app(args, standalone_mode=False)
    if code:
        raise SystemExit(code)


def lead_pass(feed: Feed, work: Path, env: dict[str, str]) -> Result:
    """The whole feed through `kpfnlp summarize` with the Lead scorer, in a fresh subprocess."""
    output = work / f"{feed.path.stem}.lead.jsonl"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(feed.path), str(output)]
    run = measure(cmd, env, work / f"{feed.path.stem}.lead", output)
    tagged = next(line for line in run.stdout.splitlines() if line.startswith(WORKER_TAG))
    imports = json.loads(tagged[len(WORKER_TAG) :])["rss_after_imports_mb"]
    result = Result("whole feed, Lead scorer", feed.path.name, feed.size_bytes, run, check_output(output, feed))
    result.commands, result.rss_after_imports_mb = [shlex.join(cmd)], imports
    output.unlink()
    return result


def model_pass(feed: Feed, head_cmd: str, model: Path | None, work: Path, env: dict[str, str]) -> Result:
    """The first lines of the big feed through the unmodified `kpfnlp summarize` CLI and its model."""
    output = work / f"{feed.path.stem}.summary.jsonl"
    cmd = [*cli_command(), "summarize", str(feed.path), "-o", str(output), "--no-resume"]
    cmd += ["--model", str(model)] if model else []
    run = measure(cmd, env, work / f"{feed.path.stem}.model", output)
    result = Result("CLI + model", feed.path.name, feed.size_bytes, run, check_output(output, feed))
    result.commands = [head_cmd, f"OMP_NUM_THREADS={env['OMP_NUM_THREADS']} {shlex.join(cmd)}"]
    return result


def untrained_model(target: Path) -> Path:
    """An untrained BertSumExt on the bundled kpfnlp-mini backbone, saved as a summarizer directory."""
    from transformers import PreTrainedTokenizerFast
    from transformers.utils import logging

    from kpfnlp.backbone import backbone_path
    from kpfnlp.summarize.model import BertSumExt

    logging.set_verbosity_error()  # the MLM/NSP heads the summarizer drops are expected
    logging.disable_progress_bar()
    backbone = backbone_path()
    tokenizer = PreTrainedTokenizerFast.from_pretrained(backbone)
    Summarizer(BertSumExt.from_backbone(backbone), tokenizer).save_pretrained(target)
    return target


def _mb(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def table_row(result: Result) -> str:
    """One Markdown row: throughput from the CLI's own summary line, memory from the kernel and /proc."""
    acc, run = result.accounting, result.run
    match = CLI_LINE.search(run.stdout)
    written, errors, rate = (int(match[1].replace(",", "")), int(match[2].replace(",", "")), float(match[3]))
    cli_seconds = written / rate if rate else float("nan")
    check = "ok" if acc.ok else f"FAILED: {acc.mismatch or 'counts differ'}"
    drift = "—" if run.drift is None else f"{run.drift[0]:,.1f} → {run.drift[1]:,.1f}"
    return (
        f"| {result.name} | {result.feed} | {result.input_bytes / MB:,.1f} | {acc.expected_rows:,} | "
        f"{acc.rows:,} (CLI: {written:,}) | {acc.errors:,} / {acc.expected_errors:,} (CLI: {errors:,}) | {check} | "
        f"{run.seconds:,.1f} | {rate:,.1f} | {result.input_bytes / MB / cli_seconds:,.2f} | "
        f"{_mb(result.rss_after_imports_mb)} | {drift} | {_mb(max(run.samples, default=None))} | "
        f"{run.peak_rss_mb:,.1f} |"
    )


def verdict(label: str, small: Result, big: Result, tolerance: float) -> str:
    """Whether the big run's peak RSS stayed within `tolerance` MiB of the small run's."""
    growth = big.run.peak_rss_mb - small.run.peak_rss_mb
    ratio = big.accounting.expected_rows / max(small.accounting.expected_rows, 1)
    flat = "constant" if growth <= tolerance else "GROWS"
    return (
        f"{label}: peak RSS {small.run.peak_rss_mb:,.1f} MiB -> {big.run.peak_rss_mb:,.1f} MiB ({growth:+,.1f} MiB) "
        f"for {ratio:,.0f}x the rows: {flat} (tolerance {tolerance:g} MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=1024, help="Big feed size in MiB (default 1 GiB).")
    parser.add_argument("--small-mb", type=float, default=10, help="Small feed size in MiB.")
    parser.add_argument("--rows", type=int, default=200, help="N: model pass on N and 4N lines of the big feed.")
    parser.add_argument("--model", type=Path, help="Summarizer directory (default: bundled, else an untrained one).")
    parser.add_argument("--threads", type=int, default=2, help="OMP_NUM_THREADS for the runs (torch threads).")
    parser.add_argument("--tolerance-mb", type=float, default=5.0, help="Peak RSS growth (MiB) still called constant.")
    parser.add_argument("--tmp", type=Path, default=Path("/tmp"), help="Where the temp dir goes.")
    parser.add_argument("--keep", action="store_true", help="Keep the temp dir (feeds, logs, model).")
    parser.add_argument("--worker", nargs=2, metavar=("INPUT", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    started = time.perf_counter()
    free = shutil.disk_usage(args.tmp).free
    if free < 2 * args.size_mb * MB:
        raise SystemExit(f"{args.tmp}: {free / MB:,.0f} MiB free, need about {2 * args.size_mb:,.0f}")
    work = Path(tempfile.mkdtemp(prefix="bench_feed_memory_", dir=args.tmp))
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
    try:
        t0 = time.perf_counter()
        big = write_feed(work / "feed_big.jsonl", int(args.size_mb * MB), seed=1)
        small = write_feed(work / "feed_small.jsonl", int(args.small_mb * MB), seed=2)
        print(
            f"feeds in {work} ({time.perf_counter() - t0:,.0f} s): big {big.size_bytes / MB:,.1f} MiB, "
            f"{big.rows:,} rows ({big.bad_rows:,} bad), {big.lines:,} lines; "
            f"small {small.size_bytes / MB:,.1f} MiB, {small.rows:,} rows ({small.bad_rows:,} bad)",
            flush=True,
        )
        lead_small = lead_pass(small, work, env)
        lead_big = lead_pass(big, work, env)
        print(f"whole-feed passes done ({time.perf_counter() - started:,.0f} s)", flush=True)

        if args.model:
            model, about = args.model, f"model: {args.model}"
        elif (DEFAULT_MODEL_DIR / "config.json").is_file():
            model, about = None, f"model: the bundled summarizer ({DEFAULT_MODEL_DIR})"
        else:
            model = untrained_model(work / "untrained-summarizer")
            about = (
                f"model: no bundled summarizer ({DEFAULT_MODEL_DIR} is absent), so an UNTRAINED BertSumExt on the "
                f"bundled kpfnlp-mini backbone, saved to {model} (same shapes and work; the summaries are meaningless)"
            )
        model_runs = []
        for lines in (args.rows, 4 * args.rows):
            prefix, head_cmd = prefix_feed(big, lines, work / f"first_{lines}.jsonl")
            model_runs.append(model_pass(prefix, head_cmd, model, work, env))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    results = [lead_small, lead_big, *model_runs]
    print(f"\n{about}; OMP_NUM_THREADS={args.threads}; niceness {os.nice(0)}; {os.cpu_count()} CPUs")
    print(
        "\n| pass | feed | MiB | input rows | output rows | error rows / expected | ids + errors in order | "
        "run s | rows/s | input MiB/s | peak RSS after imports MiB | VmRSS first output row → end MiB | "
        "sampled peak VmRSS MiB | "
        "peak RSS MiB (kernel) |\n|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    for result in results:
        print(table_row(result))
    print("\nrows/s and input MiB/s: the CLI's own rate (processing only); run s: the whole subprocess (imports too)")
    print("\ncommands:")
    print(f"  {shlex.join(['nice', '-n', str(os.nice(0)), sys.executable, *sys.argv])}")
    for result in results:
        for command in result.commands:
            print(f"  {command}")
    accounting = "ok" if all(r.accounting.ok for r in results) else "FAILED"
    print(
        f"\nverdict: {verdict('streaming', lead_small, lead_big, args.tolerance_mb)}; "
        f"{verdict('model pass', *model_runs, args.tolerance_mb)}; row accounting {accounting}"
    )
    print(f"wall time {time.perf_counter() - started:,.0f} s{'; temp dir kept: ' + str(work) if args.keep else ''}")


if __name__ == "__main__":
    main()
