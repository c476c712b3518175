"""Text from the data is shown as typed, control characters visible, cut to fit."""

from __future__ import annotations

from rich.cells import cell_len

from tui.counting import share_text
from tui.display import fit, fit_left, literal, visible, wrapped


def test_control_and_format_characters_become_escapes() -> None:
    assert visible("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert visible("\x1b[31mred\x07") == "\\x1b[31mred\\x07"
    assert visible("left\u202eright") == "left\\u202eright"
    assert visible("Grüße, 東京") == "Grüße, 東京"


def test_markup_is_never_read() -> None:
    text = literal("[bold]x[/] [link=http://a]y[/link]")
    assert text.plain == "[bold]x[/] [link=http://a]y[/link]"
    assert not text.spans


def test_fit_cuts_by_cells_with_an_ascii_mark() -> None:
    assert fit("Cart abandoners - English", 10) == "Cart ab..."
    assert fit("short", 10) == "short"
    assert fit("東京東京東京", 7) == "東京..."
    assert cell_len(fit("東京東京東京", 8)) <= 8
    assert fit("anything", 2) == ".."


def test_fit_left_keeps_the_end_of_a_path() -> None:
    assert fit_left("/very/long/path/to/segments.db", 16) == "...o/segments.db"


def test_share_is_one_decimal_percent() -> None:
    assert share_text(123, 1000) == "12.3%"
    assert share_text(0, 0) == "-"
    assert share_text(5, 5) == "100.0%"


def test_share_never_rounds_to_a_claim_it_does_not_hold() -> None:
    assert share_text(201_309, 201_335) == ">99.9%"
    assert share_text(3, 201_335) == "<0.1%"
    assert share_text(0, 201_335) == "0.0%"
    assert share_text(201_335, 201_335) == "100.0%"
    assert share_text(1, 1000) == "0.1%"
    assert share_text(999, 1000) == "99.9%"


def test_wrapped_text_that_is_cut_ends_in_an_ascii_mark() -> None:
    text = " and ".join(f"visited a page starting with /p{n}" for n in range(12))
    lines = wrapped(text, 40, 4).splitlines()
    assert len(lines) == 4
    assert all(cell_len(line) <= 40 for line in lines)
    assert lines[-1].endswith("...")
    assert wrapped("short enough", 40, 4) == "short enough"
