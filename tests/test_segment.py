from indexer import segment


def test_domain_words_stay_whole():
    words = segment.tokens("完善民意速办平台和一网通办、一网统管,受理民生诉求")
    for word in ("民意速办", "一网通办", "一网统管", "民生诉求"):
        assert word in words


def test_punctuation_and_spaces_are_dropped_and_latin_lowercased():
    assert segment.tokens("IDC 机房,运维。") == ["idc", "机房", "运维"]


def test_search_mode_adds_the_words_inside_long_words():
    assert segment.tokens("民意速办平台") == ["民意速办", "平台"]
    search = segment.search_tokens("民意速办")
    assert "民意速办" in search and "民意" in search


def real_texts(shared):
    from tests.conftest import extracted

    files = sorted((shared / "corpus").glob("0*.txt")) + sorted(
        (shared / "realpdfs").rglob("*.pdf")
    )
    return [(path.name, page.text) for path in files for page in extracted(path).pages]


def test_rjieba_cuts_exactly_as_jieba_on_the_corpus_and_the_real_pdfs(shared):
    """rjieba is used only because this holds; jieba stays the reference."""
    fast = segment.rjieba_cutters()
    assert fast is not None, "rjieba is a dependency (pyproject.toml)"
    reference = segment.jieba_cutters()
    texts = real_texts(shared)
    assert len(texts) > 500  # every page of every file
    for name, text in texts:
        for cut_fast, cut_reference in zip(fast, reference, strict=True):
            assert cut_fast(text) == cut_reference(text), name


def test_the_fast_segmenter_is_chosen_only_when_it_agrees(monkeypatch):
    assert segment.backend() == "rjieba"
    monkeypatch.setattr(segment, "_cutters", None)
    monkeypatch.setenv("BUDGET_SEGMENTER", "jieba")
    assert segment.backend() == "jieba"
    monkeypatch.setattr(segment, "_cutters", None)  # restored by monkeypatch afterwards


def test_the_written_down_check_cuts_are_jiebas_own():
    """cutters() trusts rjieba by comparing with CHECK_CUTS instead of loading jieba."""
    for cut, expected in zip(segment.jieba_cutters(), segment.CHECK_CUTS, strict=True):
        assert " ".join(cut(segment.CHECK_TEXT)) == expected


def test_rjieba_is_refused_when_it_cuts_the_check_text_otherwise(monkeypatch):
    monkeypatch.setattr(segment, "_cutters", None)
    monkeypatch.setattr(segment, "CHECK_CUTS", ("a different cut", "of the check text"))
    assert segment.backend() == "jieba"
    monkeypatch.setattr(segment, "_cutters", None)  # restored by monkeypatch afterwards
