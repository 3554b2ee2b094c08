"""Aligned text tables, as `gradcheck` reports and `explain` steps print.

>>> print(format_table([("input", "grad"), ("x", "-0.5"), ("weight", "12")], right={1}))
input   grad
x       -0.5
weight    12
"""


def format_table(rows, right=()):
    """The rows (tuples of str, the header first) as lines of aligned columns.

    Columns are two spaces apart; those whose index is in `right` are right-aligned
    (numbers), the others left-aligned. No line ends in spaces.
    """
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.rjust(w) if c in right else cell.ljust(w)
                  for c, (cell, w) in enumerate(zip(row, widths))).rstrip()
        for row in rows)
