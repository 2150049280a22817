"""One settings object: defaults, BOT_* variables, one-line errors that name the variable."""

import pytest
from pydantic import ValidationError

from bot.errors import SettingsError
from bot.settings import Settings


def test_defaults_need_no_environment():
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.locale == "us" and settings.max_question_chars == 2000 and settings.max_history == 5


def test_variables_are_read_and_typed():
    settings = Settings.from_env({"BOT_ANSWER_CACHE": "0", "BOT_LOCALE": "UK", "BOT_MODE": "kiosk",
                                  "BOT_INDEX_DIR": "/tmp/x", "BOT_RATE_LIMIT": "10 per minute; 100/hour"})
    assert settings.answer_cache == 0 and settings.locale == "uk" and settings.mode == "kiosk"
    assert str(settings.index_dir) == "/tmp/x" and settings.rate_limit == "10 per minute; 100/hour"


def test_an_empty_rate_limit_turns_it_off_and_other_empty_values_keep_the_default():
    settings = Settings.from_env({"BOT_RATE_LIMIT": "", "BOT_LOCALE": ""})
    assert settings.rate_limit == "" and settings.locale == "us"


@pytest.mark.parametrize("variable,value", [
    ("BOT_ANSWER_CACHE", "lots"),  # not a number
    ("BOT_ANSWER_CACHE", "-1"),  # below the minimum
    ("BOT_LOCALE", "fr"),  # no such locale: never silently US numbers
    ("BOT_KIOSK_WARNING_SECONDS", "5"),  # under WCAG's 20 seconds
    ("BOT_RATE_LIMIT", "lots per minute"),
    ("BOT_EMBED_BACKEND", "gpu"),
])
def test_a_bad_value_is_one_line_naming_the_variable(variable, value):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({variable: value})
    message = str(err.value)
    assert message.startswith(f"{variable}={value!r}: ") and "\n" not in message


def test_overrides_win_and_none_is_ignored():
    settings = Settings.from_env({"BOT_LOCALE": "uk"}, locale=None, answer_cache=7)
    assert settings.locale == "uk" and settings.answer_cache == 7


def test_settings_are_frozen_and_replace_validates():
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.locale = "uk"
    assert settings.replace(locale="uk").locale == "uk"
    with pytest.raises(SettingsError):
        settings.replace(answer_cache=-5)
