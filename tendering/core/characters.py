"""Characters that text may not carry: refused where users type, stripped where the app writes XML.

XML 1.0 (and so DOCX and XLSX) cannot hold the C0 control characters other than
tab, line feed and carriage return, nor lone surrogates or U+FFFE/U+FFFF;
PostgreSQL refuses NUL in text. U+FFFD is what a non-UTF-8 byte becomes when the
request is decoded, so finding it in what was typed means the bytes were not text.
"""

import re

_ILLEGAL = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
XML_ILLEGAL = re.compile(f"[{_ILLEGAL}]")
_REFUSED = re.compile(f"[{_ILLEGAL}\ufffd]")
# Stricter, for text read from an uploaded file (which no request check sees): DEL too, and in a one-line
# field (a source) also tab and line breaks.
MULTI_LINE_CONTROL = re.compile(f"[{_ILLEGAL}\x7f]")
ONE_LINE_CONTROL = re.compile(f"[{_ILLEGAL}\t\n\r\x7f]")


def xml_safe(value):
    """`value` without the characters XML cannot carry; anything but text unchanged."""
    if isinstance(value, str):
        return XML_ILLEGAL.sub("", value)
    return value


def is_refused(text: str) -> bool:
    """Whether typed text holds NUL, another control character XML cannot carry, or a byte that was not UTF-8."""
    return bool(_REFUSED.search(text))
