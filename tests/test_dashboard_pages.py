"""Every dashboard page through Streamlit's AppTest, on tiny models built here: what the user sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_dashboard_support import APPS, ARTICLE, build_tiny_models

from kpfnlp.summarize import Summarizer

MARK = re.compile(r'<mark class="kpf-pick">(.*?)<span class="kpf-score">((?:&lt;)?[0-9.]+)</span></mark>')


@pytest.fixture(scope="module")
def models(tmp_path_factory, samples: Path) -> tuple[Path, Path]:
    return build_tiny_models(tmp_path_factory.mktemp("dashboard-models"), samples)


@pytest.fixture
def env(models, monkeypatch, tmp_path: Path) -> Path:
    """Point the app at the tiny models (regex splitter: no Kiwi start-up) and at an empty docs folder."""
    monkeypatch.setenv("KPFNLP_SUMMARIZER", str(models[0]))
    monkeypatch.setenv("KPFNLP_ENCODER", str(models[1]))
    monkeypatch.setenv("KPFNLP_SPLITTER", "regex")
    monkeypatch.setenv("KPFNLP_DOCS_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def headlines_cp949(samples: Path) -> bytes:
    """The sample day of headlines (60 rows, sections, two exact copies) as a CP949 CSV, as newsrooms export."""
    return (samples / "headlines.csv").read_text("utf-8").encode("cp949")


def start(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APPS / "dashboard.py"), default_timeout=120).run()
    if page:
        at.switch_page(f"dashboard_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def highlighted(at: AppTest) -> list[tuple[str, float]]:
    found = [pair for md in at.markdown for pair in MARK.findall(md.value)]
    return [(s, 0.0 if score.startswith("&lt;") else float(score)) for s, score in found]  # "<0.01" reads as 0


def upload(at: AppTest, page: str, name: str, data: bytes) -> AppTest:
    at.get("file_uploader")[0].upload(name, data, "text/csv")  # the page's only upload widget
    at.run()
    assert not at.exception, at.exception
    return at


def test_summarize_highlights_the_chosen_sentences_with_scores(env, models) -> None:
    at = start()
    at.text_area(key="keep_sum_text").input(ARTICLE)
    at.button(key="sum_run").click().run()
    summary = Summarizer.from_pretrained(models[0], backend="regex").summarize(ARTICLE)
    marks = highlighted(at)
    assert [s for s, _ in marks] == summary.sentences and len(marks) == 3  # the kept text, without the byline
    if 0 in summary.indices:
        assert "(서울=가상뉴스) 김민준 기자 = <mark" in "".join(md.value for md in at.markdown)
    assert [score for _, score in marks] == pytest.approx(summary.scores, abs=0.006)
    assert "원점수" in texts(at.caption)  # the tiny model has no calibration: its scores only rank
    assert at.download_button[0].label == "요약 내려받기 (JSON)"
    at.slider(key="keep_sum_k").set_value(2)
    at.button(key="sum_run").click().run()
    assert len(highlighted(at)) == 2 and "요약 (2문장)" in texts(at.subheader)


def test_summarize_scores_of_a_calibrated_model(env, models, monkeypatch, tmp_path: Path) -> None:
    """With `calibration.json` the page says what a score is, and shows the calibrated ones."""
    import shutil

    from kpfnlp.summarize.calibration import FEATURES, ScoreCalibration

    calibrated = tmp_path / "calibrated"
    shutil.copytree(models[0], calibrated)
    ScoreCalibration(dict(zip(FEATURES, [0.1, 0.5, 0.5, 1.0, -0.9, 1.0], strict=True)), articles=111).save(calibrated)
    monkeypatch.setenv("KPFNLP_SUMMARIZER", str(calibrated))
    at = start()
    at.text_area(key="keep_sum_text").input(ARTICLE)
    at.button(key="sum_run").click().run()
    summary = Summarizer.from_pretrained(calibrated, backend="regex").summarize(ARTICLE)
    assert summary.calibrated and "편집자가 고른 3문장 요약" in texts(at.caption) and "111건" in texts(at.caption)
    assert [score for _, score in highlighted(at)] == pytest.approx(summary.scores, abs=0.006)


def test_summarize_refusals_are_korean_messages(env) -> None:
    at = start()
    at.text_area(key="keep_sum_text").input("The Bank of Korea kept its base rate at 3.5 percent.")
    at.button(key="sum_run").click().run()
    assert not at.exception and "한국어 기사가 아닙니다" in texts(at.error)
    at.text_area(key="keep_sum_text").input("   ")
    at.button(key="sum_run").click().run()
    assert "빈 글입니다" in texts(at.error) and not highlighted(at)


def test_missing_models_are_announced_in_korean(env, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KPFNLP_SUMMARIZER", str(tmp_path / "no-summarizer"))
    monkeypatch.setenv("KPFNLP_ENCODER", str(tmp_path / "no-encoder"))
    at = start()
    assert "요약 모델이 없습니다" in texts(at.error) and "no-summarizer" in texts(at.error)
    assert at.button(key="sum_run").disabled
    at = start("similar")
    upload(at, "similar", "day.csv", '제목\n한은 기준금리 동결\n"한은, 기준금리 또 동결"\n태풍 북상\n'.encode())
    assert "문장 인코더가 없습니다" in texts(at.warning) and "TF-IDF" in texts(at.warning)
    assert at.dataframe[0].value["기사"].tolist()[0] == "한은, 기준금리 또 동결"  # the fallback still ranks


def test_summarize_a_file_of_articles_with_progress_and_download(env, samples: Path) -> None:
    at = start()
    at.radio(key="keep_sum_mode").set_value("파일 업로드").run()
    upload(at, "summarize", "articles.jsonl", (samples / "articles.jsonl").read_bytes())
    assert at.selectbox(key="keep_articles_text").value == "body"
    at.button(key="sum_batch").click().run()
    table = at.dataframe[0].value
    assert len(table) == 8 and table["id"].tolist()[0] == "sample-001"
    assert all(table["요약"].str.len() > 0) and all(len(s.split(", ")) == 3 for s in table["점수"])
    assert len(at.expander) == 8 and len(highlighted(at)) == 24
    assert at.download_button[0].label == "요약 표 내려받기 (CSV)"


def test_cluster_page_reads_cp949_and_shows_table_map_and_filter(env, headlines_cp949: bytes) -> None:
    at = start("cluster")
    upload(at, "cluster", "headlines.csv", headlines_cp949)
    assert "CP949" in texts(at.caption)
    assert at.selectbox(key="keep_feed_text").value == "title"
    assert at.selectbox(key="keep_feed_extra").value == "category"
    at.button(key="cl_run").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["군집", "섹션", "기사 수", "키워드", "대표 제목"] and table["기사 수"].sum() == 60
    items = at.dataframe[1].value  # the first expander's member list
    clusters = table[table["군집"] != "미분류"]
    assert len(clusters) >= 1 and all(clusters["키워드"].str.len() > 0)
    assert clusters.iloc[0]["대표 제목"] in items["제목"].tolist() and len(items) == clusters.iloc[0]["기사 수"]
    assert at.get("plotly_chart") and [b.label for b in at.download_button][:2] == [
        "군집 표 내려받기 (CSV)", "기사별 결과 내려받기 (CSV)",
    ]  # fmt: skip
    at.multiselect(key="keep_cl_sections").set_value(["경제"]).run()
    filtered = at.dataframe[0].value
    assert set(filtered["섹션"]) == {"경제"} and filtered["기사 수"].sum() < 60


def test_upload_without_a_text_column_is_explained(env) -> None:
    at = start("cluster")
    upload(at, "cluster", "codes.csv", "코드,값\nA1,한은 기준금리 동결\nA2,태풍 북상\n".encode())
    warning = texts(at.warning)
    assert "제목/본문 열" in warning and "파일의 열: 코드, 값" in warning
    at.selectbox(key="keep_feed_text").set_value("값").run()
    assert not at.error and at.button(key="cl_run")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        # UTF-16 with a BOM is read (test_dashboard_support); without one it cannot be told from binary
        ("u16-no-bom.csv", "제목,본문\n가나다,라마바\n".encode("utf-16-le"), "인코딩을 알아볼 수 없습니다"),
        ("empty.csv", b"", "빈 파일입니다"),
        ("header-only.csv", "제목,섹션\n".encode(), "데이터 행이 없습니다"),
    ],
)
def test_bad_uploads_show_a_korean_error_not_a_traceback(env, name: str, data: bytes, message: str) -> None:
    at = start("dedup")
    upload(at, "dedup", name, data)
    assert message in texts(at.error) and not at.exception


def test_dedup_page_shows_groups_canonical_and_similarity(env, headlines_cp949: bytes) -> None:
    at = start("dedup")
    upload(at, "dedup", "headlines.csv", headlines_cp949)
    at.button(key="dd_run").click().run()
    groups = at.dataframe[0].value
    assert list(groups.columns) == ["그룹", "기사 수", "대표 기사", "최저 유사도"]
    row = groups[groups["대표 기사"] == "한은 기준금리 3.5% 동결…아홉 차례 연속"].iloc[0]
    assert row["기사 수"] >= 2 and row["최저 유사도"] <= 1.0
    members = next(e for e in at.expander if "한은 기준금리 3.5% 동결…아홉 차례 연속" in e.label).dataframe[0].value
    by_id = members.set_index("id")
    assert bool(by_id.loc["h001", "대표"]) and by_id.loc["h001", "단계"] == "대표"
    assert by_id.loc["h003", "유사도"] == 1.0 and by_id.loc["h003", "단계"] == "완전 일치"


def test_similar_page_ranks_the_uploaded_items_by_cosine(env, headlines_cp949: bytes) -> None:
    at = start("similar")
    upload(at, "similar", "headlines.csv", headlines_cp949)
    at.selectbox(key="keep_sim_pick").set_value(0).run()
    table = at.dataframe[0].value
    assert len(table) == 10 and table["순위"].tolist() == list(range(1, 11))
    scores = table["코사인 유사도"].tolist()
    assert scores == sorted(scores, reverse=True) and scores[0] == pytest.approx(1.0, abs=1e-3)  # h003 = h001
    assert table["id"].iloc[0] == "h003" and "h001" not in table["id"].tolist()
    at.radio(key="keep_sim_mode").set_value("직접 입력").run()
    at.text_input(key="keep_sim_query").input("태풍 북상").run()
    at.slider(key="keep_sim_top").set_value(3).run()
    assert len(at.dataframe[0].value) == 3 and "'태풍 북상'와(과) 비슷한 기사" in texts(at.subheader)


def test_model_page_shows_docs_or_a_notice(env) -> None:
    at = start("model")
    assert "모델 카드가 아직 없습니다" in texts(at.info) and "최신 평가표가 아직 없습니다" in texts(at.info)
    assert "요약 모델" in texts(at.success) and "문장 인코더" in texts(at.success)
    (env / "model-card.md").write_text("# kpfnlp-mini\n\n뉴스 4억 토큰으로 학습한 모델\n", "utf-8")
    (env / "eval-table.md").write_text("| 과제 | 점수 |\n|---|---|\n| NSMC | 0.87 |\n", "utf-8")
    at = start("model")
    shown = texts(at.markdown)
    assert "뉴스 4억 토큰으로 학습한 모델" in shown and "| NSMC | 0.87 |" in shown and not at.info


def test_state_survives_page_switches(env, headlines_cp949: bytes) -> None:
    at = start()
    at.text_area(key="keep_sum_text").input(ARTICLE)
    at.button(key="sum_run").click().run()
    at.switch_page("dashboard_pages/cluster.py").run()
    upload(at, "cluster", "headlines.csv", headlines_cp949)
    at.selectbox(key="keep_feed_extra").set_value("(없음)").run()
    at.switch_page("dashboard_pages/dedup.py").run()  # the feed uploaded on another page is there
    assert "headlines.csv" in texts(at.caption) and at.selectbox(key="keep_feed_extra").value == "(없음)"
    at.button(key="dd_run").click().run()
    assert len(at.dataframe) >= 1
    at.switch_page("dashboard_pages/summarize.py").run()
    assert at.text_area(key="keep_sum_text").value == ARTICLE and len(highlighted(at)) == 3
