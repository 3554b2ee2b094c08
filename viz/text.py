"""Text as a picture shows it: every character visible, valid XML, and drawable.

Class names, column names, labels and titles come from users' files; a picture must
show them as they are, not break on them. One rule for every picture plaingrad draws.
"""

import unicodedata

__all__ = ["shown"]

# Control characters (ESC, NUL), invisible formatting (a right-to-left override, a
# zero-width space), surrogates, private-use and unassigned code points (U+FFFF, which
# XML refuses too), line and paragraph separators: nothing a reader can see or a font draws.
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def shown(text, has_glyph=None):
    """`text` with every character a picture cannot show written as Python writes it.

    A line break stays one (any of \\r\\n, \\r, \\n) and a tab becomes a space; other
    control and invisible characters, and those for which `has_glyph(char)` is False
    (the font has no glyph), become escapes such as ``\\x1b`` or ``\\u4e2d``. The result
    is valid in XML and drawable by the font.

    >>> shown("\\x1bred")
    '\\\\x1bred'
    >>> shown("σ and ü")
    'σ and ü'
    """
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(c if c == "\n" or _visible(c, has_glyph) else _escape(c) for c in text)


def _visible(char, has_glyph):
    return unicodedata.category(char) not in _HIDDEN and (has_glyph is None or has_glyph(char))


def _escape(char):
    n = ord(char)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"
