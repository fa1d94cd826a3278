r"""Names in charts are drawn as typed: never read as matplotlib mathtext.

matplotlib reads a text with two ``$`` signs as mathtext: a rep named ``Bo $x^2$ Li`` is
drawn as a formula and ``Ann $\x$ Lee`` stops the whole chart with a ValueError. Every
label, title, tick, legend entry and annotation of a report chart carries data (names,
amounts, currencies), so :func:`as_plain_text` turns mathtext off for all of them and
:data:`PLAIN_TEXT_RC` for the ones matplotlib creates while it draws (tick labels).
"""

from __future__ import annotations

__all__ = ["PLAIN_TEXT_RC", "as_plain_text"]

#: rcParams under which texts created while a figure is drawn are plain text
PLAIN_TEXT_RC = {"text.parse_math": False}


def as_plain_text(fig) -> None:
    """Make every text of ``fig`` plain text (``$`` drawn as a dollar sign, never mathtext).

    Parameters
    ----------
    fig : matplotlib Figure
        The figure; its texts are changed in place.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("Bo $x^2$ Li")
    >>> as_plain_text(fig)
    >>> ax.title.get_parse_math()
    False
    >>> plt.close(fig)
    """
    from matplotlib.text import Text  # only here: importing salesnb needs no matplotlib

    for t in fig.findobj(Text):
        t.set_parse_math(False)
