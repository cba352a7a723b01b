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
