"""Whole numbers as a URL or a form field may carry them: ASCII digits only (Unicode calls "²" a digit, int() does
not), and short enough for the database's integer columns."""


def whole(text: str | None, digits: int = 9) -> int | None:
    """The number `text` spells, or None when it is not one."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None
