"""The plain text that quotes are checked against."""

import pytest

import report


@pytest.mark.parametrize(
    "line, plain",
    [
        ("### a. North American Leaders' Summit (NALS)", "a. North American Leaders' Summit (NALS)"),
        ("#### *High-Level Economic Dialogue: 2022 Midterm Review*", "High-Level Economic Dialogue: 2022 Midterm Review"),
        (
            "co-chairs of the [U.S.-Mexico High-Level Economic Dialogue \\(HLED\\)](#) met",
            "co-chairs of the U.S.-Mexico High-Level Economic Dialogue (HLED) met",
        ),
        ("an all-time high of \\$864 billion", "an all-time high of $864 billion"),
        ("a pioneering initiative **dedicated to deepening**", "a pioneering initiative dedicated to deepening"),
        ("<b>1. Introduction .....</b>\t<b>05</b>", "1. Introduction ..... 05"),
        ("  - i. *Coppel*", "- i. Coppel"),
        ("---", ""),
        ("Texas A&M AgriLife's", "Texas A&M AgriLife's"),
    ],
)
def test_plain_line(line, plain):
    assert report.plain_line(line) == plain


def test_split_sections_keeps_headings_apart_and_joins_page_breaks():
    lines = ["# TITLE", "", "Intro line one", "line two", "", "## A", "", "Before the break", "", "---", "", "after it", ""]
    texts = report.split_sections(lines, {"intro": 3, "a": 6})
    assert texts == {
        "intro": report.SectionText("", ("Intro line one line two",)),
        "a": report.SectionText("A", ("Before the break", "after it")),
    }
    assert texts["a"].searchable == "A Before the break after it"
    assert texts["a"].body == "Before the break\n\nafter it"


def test_heading_lines():
    assert report.heading_lines(["# T", "x", "## A", "", "### B"], first=2) == [3, 5]
