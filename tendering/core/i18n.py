"""Dutch by default, English on request; times shown in Europe/Amsterdam."""

from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, format_currency, get_locale

from ..workflow.labels import event_summary, state_label, trigger_label

babel = Babel()


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).resolve().parents[1] / "translations"))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        get_locale=get_locale, state_label=state_label, trigger_label=trigger_label, event_summary=event_summary
    )
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["localdate"] = localdate
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = number
    app.jinja_env.add_extension("jinja2.ext.do")


def localtime(value: datetime | None, fmt: str = "medium") -> str:
    """An aware UTC datetime in BABEL_DEFAULT_TIMEZONE (Amsterdam), in the reader's language; cached like dates."""
    if value is None:
        return ""
    return _format_datetime(value, fmt, str(get_locale()), current_app.config["BABEL_DEFAULT_TIMEZONE"])


@lru_cache(maxsize=4096)
def _format_datetime(value: datetime, fmt: str, locale: str, zone: str) -> str:
    return babel_dates.format_datetime(value, fmt, tzinfo=ZoneInfo(zone), locale=locale)


def localdate(value: date | None, fmt: str = "long") -> str:
    """A calendar date in the reader's language; cached, since lists repeat the same periods many times."""
    return "" if value is None else _format_date(value, fmt, str(get_locale()))


@lru_cache(maxsize=4096)
def _format_date(value: date, fmt: str, locale: str) -> str:
    return babel_dates.format_date(value, fmt, locale=locale)


def number(value) -> str:
    """A measured value in the reader's notation: 12,5 in Dutch, 12.5 in English; no trailing zeros.

    Formatted by hand with the locale's symbols: Babel's pattern engine costs a
    tenth of a millisecond a number, too much for monitors with hundreds of values.
    """
    if value is None:
        return ""
    group, decimal = _symbols(str(get_locale()))
    text = f"{round(float(value), 4):,.4f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


@lru_cache(maxsize=16)
def _symbols(locale: str) -> tuple[str, str]:
    symbols = Locale.parse(locale).number_symbols.get("latn", Locale.parse(locale).number_symbols)
    return symbols["group"], symbols["decimal"]


def money(value) -> str:
    return "" if value is None else format_currency(value, "EUR")


def local_to_utc(value: datetime | None) -> datetime | None:
    """A wall-clock time typed in the display time zone, as aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])).astimezone(timezone.utc)


def utc_to_local(value: datetime | None) -> datetime | None:
    """An aware UTC time as naive wall-clock time for a datetime-local input."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])).replace(tzinfo=None)
