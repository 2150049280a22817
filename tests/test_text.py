from bot.text import normalize, tokenize


def test_normalize_removes_control_characters_and_collapses_space():
    assert normalize("  does\x00 ketamine\u200b\n\n help\t ") == "does ketamine help"
    assert normalize("keta\u200bmine \u202edrip") == "ketamine drip"  # invisible characters vanish


def test_normalize_folds_compatibility_forms_and_never_cuts():
    assert normalize("ｋｅｔａｍｉｎｅ") == "ketamine"
    assert len(normalize("a" * 5000)) == 5000  # the engine refuses what is too long; it never cuts


def test_normalize_drops_lone_surrogates_from_undecodable_bytes():
    broken = b"ketamine \xff\xfe pain".decode("utf-8", "surrogateescape")
    assert normalize(broken) == "ketamine pain"


def test_tokenize_stems_and_drops_stopwords():
    assert tokenize("Does ketamine help with the infusions?") == ["ketamin", "help", "infus"]
    assert tokenize("Café") == ["cafe"]
