"""Dashboard support: tiny models for the dashboard tests, upload checks, model slots and `kpfnlp dashboard`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import build_tiny_bert
from typer.testing import CliRunner

from kpfnlp.cli import dashboard_cmds
from kpfnlp.cli.app import app
from kpfnlp.paths import REPO_ROOT

APPS = REPO_ROOT / "apps"
ARTICLE = (
    "(서울=가상뉴스) 김민준 기자 = 한국은행이 기준금리를 연 3.5%로 유지했다. "
    "금융통화위원회는 22일 회의를 열고 만장일치로 기준금리 동결을 결정했다. "
    '총재는 "물가가 목표 수준으로 수렴한다는 확신이 들 때까지 긴축을 이어가겠다"고 말했다. '
    "지난달 소비자물가는 1년 전보다 2.8% 올랐다. "
    "시장 전문가들은 하반기에나 첫 인하가 가능할 것으로 내다봤다."
)


def build_tiny_models(root: Path, samples: Path) -> tuple[Path, Path]:
    """A 1-layer BertSumExt summarizer and a 1-layer sentence encoder sharing one WordPiece vocabulary (seconds)."""
    from transformers import PreTrainedTokenizerFast

    from kpfnlp.encoder import SentenceEncoder
    from kpfnlp.summarize import BertSumExt, Summarizer

    texts = [json.loads(line)["body"] for line in (samples / "articles.jsonl").read_text("utf-8").splitlines()]
    texts += (samples / "headlines.csv").read_text("utf-8").splitlines()
    backbone = root / "backbone"
    bert = build_tiny_bert(backbone, [*texts, ARTICLE] * 2, 600, num_hidden_layers=1)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(backbone)
    summarizer = root / "summarizer"
    model = BertSumExt.from_backbone(bert, inter_heads=2, max_sentence_tokens=24)
    Summarizer(model, tokenizer, backend="regex").save_pretrained(summarizer)
    encoder = SentenceEncoder.from_backbone(backbone, max_seq_length=64).save(root / "encoder")
    return summarizer, encoder


@pytest.fixture(scope="module")
def uploads():
    sys.path.insert(0, str(APPS))
    from newsroom import uploads

    yield uploads
    sys.path.remove(str(APPS))


def test_tiny_models_load_through_the_public_apis(tmp_path: Path, samples: Path) -> None:
    from kpfnlp.encoder import SentenceEncoder
    from kpfnlp.summarize import Summarizer

    summarizer, encoder = build_tiny_models(tmp_path, samples)
    assert len(Summarizer.from_pretrained(summarizer, backend="regex").summarize(ARTICLE).indices) == 3
    assert SentenceEncoder.load(encoder).encode(["한은 기준금리 동결"]).shape == (1, 32)


@pytest.mark.parametrize(("encoding", "name"), [("cp949", "CP949 (EUC-KR)"), ("utf-16", "UTF-16")])
def test_cp949_and_utf16_csv_columns_and_rows(uploads, encoding, name) -> None:
    data = "id,제목,섹션\n1,한은 기준금리 동결,경제\n2,서울 아파트값 상승,부동산\n".encode(encoding)
    upload = uploads.inspect_upload("오늘.csv", data)
    assert upload.encoding == encoding and upload.encoding_name == name
    assert upload.columns == ["id", "제목", "섹션"]
    assert uploads.guess_text(upload.columns, headlines=True) == "제목"
    feed = uploads.read_upload(upload, "제목", "섹션", "id")
    assert feed.texts == ["한은 기준금리 동결", "서울 아파트값 상승"] and feed.extras == ["경제", "부동산"]
    assert feed.ids == ["1", "2"] and feed.errors == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"  \n", "빈 파일입니다"),
        ("u16-no-bom.csv", "제목,본문\n가나다,라마바\n".encode("utf-16-le"), "인코딩을 알아볼 수 없습니다"),
        ("notes.txt", "제목\n가나다\n".encode(), "지원하지 않는 파일 형식"),
        ("broken.xlsx", b"not a workbook", "파일을 열 수 없습니다"),
    ],
)
def test_bad_uploads_get_korean_messages(uploads, name: str, data: bytes, message: str) -> None:
    with pytest.raises(uploads.UploadError, match=message):
        uploads.inspect_upload(name, data)


def test_size_and_row_limits(uploads, monkeypatch) -> None:
    data = ("제목\n" + "".join(f"기사 제목 {i}\n" for i in range(30))).encode()
    monkeypatch.setenv("KPFNLP_MAX_UPLOAD_MB", "0.0001")
    with pytest.raises(uploads.UploadError, match="파일이 너무 큽니다"):
        uploads.inspect_upload("big.csv", data)
    monkeypatch.setenv("KPFNLP_MAX_UPLOAD_MB", "50")
    monkeypatch.setenv("KPFNLP_MAX_ROWS", "10")
    with pytest.raises(uploads.UploadError, match="행이 너무 많습니다: 30행"):
        uploads.read_upload(uploads.inspect_upload("big.csv", data), "제목")


def test_jsonl_missing_and_empty_text_columns(uploads) -> None:
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in [{"id": 1, "제목": ""}, {"id": 2}]).encode()
    upload = uploads.inspect_upload("feed.jsonl", data)
    assert upload.columns == ["id", "제목"]
    with pytest.raises(uploads.UploadError, match="읽을 수 있는 행이 없습니다: '제목' 열이 비어"):
        uploads.read_upload(upload, "제목")
    with pytest.raises(uploads.UploadError, match="'본문' 열이 없습니다"):
        uploads.read_upload(upload, "본문")


def test_json_array_upload_columns_and_rows(uploads) -> None:
    """The newstrust export (a JSON array of {title, category}) uploads like a JSONL feed."""
    items = [{"title": "한은 기준금리 동결", "category": "경제"}, {"title": "", "category": "사회"}]
    upload = uploads.inspect_upload("titles.json", json.dumps(items, ensure_ascii=False).encode())
    assert upload.columns == ["title", "category"]
    assert uploads.guess_text(upload.columns, headlines=True) == "title"
    feed = uploads.read_upload(upload, "title", "category")
    assert feed.texts == ["한은 기준금리 동결"] and feed.extras == ["경제"]
    assert feed.errors == ["titles.json:element 2: element 2: empty text: column 'title'"]


def test_dashboard_command_passes_models_and_disables_usage_stats(tmp_path: Path, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(dashboard_cmds.subprocess, "call", lambda cmd, env, cwd: calls.append((cmd, env)) or 0)
    (tmp_path / "sum").mkdir()
    result = CliRunner().invoke(app, ["dashboard", "--port", "8765", "--summarizer", str(tmp_path / "sum")])
    assert result.exit_code == 0, result.output
    cmd, env = calls[0]
    assert cmd[1:4] == ["-m", "streamlit", "run"] and Path(cmd[4]) == APPS / "dashboard.py"
    assert cmd[cmd.index("--browser.gatherUsageStats") + 1] == "false"
    assert cmd[cmd.index("--server.port") + 1] == "8765"
    assert env["KPFNLP_SUMMARIZER"] == str((tmp_path / "sum").resolve())
    missing = CliRunner().invoke(app, ["dashboard", "--encoder", str(tmp_path / "nope")])
    assert missing.exit_code == 1 and "no such directory" in missing.output


def test_repo_config_turns_usage_statistics_off() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["browser"]["gatherUsageStats"] is False


def test_highlight_leaves_a_stripped_byline_unmarked() -> None:
    sys.path.insert(0, str(APPS))
    try:
        from newsroom.render import highlight_html
    finally:
        sys.path.remove(str(APPS))
    article = ["(서울=가상뉴스) 김민준 기자 = 한국은행이 기준금리를 유지했다.", "물가는 <2.8%> 올랐다."]
    page = highlight_html(article, [0, 1], [0.91, 0.5], ["한국은행이 기준금리를 유지했다.", "물가는 <2.8%> 올랐다."])
    assert '(서울=가상뉴스) 김민준 기자 = <mark class="kpf-pick">한국은행이 기준금리를 유지했다.<span' in page
    assert '<mark class="kpf-pick">물가는 &lt;2.8%&gt; 올랐다.<span class="kpf-score">0.50</span></mark>' in page
    whole = highlight_html(article, [0], [0.91])  # without the picked texts the whole sentence is marked
    assert "&lt;0.01</span>" in highlight_html(article, [0], [0.003])  # not a misleading "0.00"
    assert '<mark class="kpf-pick">(서울=가상뉴스) 김민준 기자 = 한국은행' in whole
