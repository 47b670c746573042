"""Reading a GitBook page into fenced blocks with lines, tabs, <details> and sections."""

from __future__ import annotations

from pathlib import Path

from aimlapi_contract.page.blocks import parse_page

DATA = Path(__file__).parents[1] / "data" / "docs"


def test_blocks_carry_line_language_tab_summary_and_section() -> None:
    page = parse_page((DATA / "clean.md").read_text(encoding="utf-8"))
    got = [(b.line, b.lang, b.tab, b.summary, b.section, b.is_sample, b.is_example) for b in page.blocks]
    assert got == [
        (16, "python", "Python", "", "Code Example", True, False),
        (36, "javascript", "JavaScript", "", "Code Example", True, False),
        (53, "shell", "cURL", "", "Code Example", True, False),
        (71, "json", "", "Response", "Code Example", False, True),
        (86, "python", "", "", "Code Example #2: Using /responses Endpoint", True, False),
        (98, "json5", "", "Response", "Code Example #2: Using /responses Endpoint", False, True),
    ]
    assert page.unterminated == []
    assert page.blocks[0].text.startswith("import requests\n")


def test_unterminated_fence_is_cut_and_the_rest_still_read() -> None:
    page = parse_page((DATA / "unterminated-fence.md").read_text(encoding="utf-8"))
    assert page.unterminated == [16]
    first, js, example = page.blocks
    assert (first.closed, first.lang, first.text.count("\n")) == (False, "python", 6)
    assert (js.line, js.lang, js.tab, js.closed) == (27, "javascript", "JavaScript", True)
    assert (example.line, example.summary, example.closed) == (39, "Response", True)


def test_fence_that_swallows_the_next_fence_is_cut_at_its_opening() -> None:
    text = "```json\n{\"a\": 1}\n\n```python\nprint(1)\n```\n"
    page = parse_page(text)
    assert page.unterminated == [1]
    assert [(b.line, b.lang, b.closed, b.text) for b in page.blocks] == [
        (1, "json", False, '{"a": 1}\n\n'),
        (4, "python", True, "print(1)\n"),
    ]


def test_details_summary_on_one_line_and_nested_close() -> None:
    text = "<details><summary>Response</summary>\n\n```\n{}\n```\n\n</details>\n\n```json\n[]\n```\n"
    first, second = parse_page(text).blocks
    assert (first.summary, first.is_example) == ("Response", True)  # no language, but a Response section
    assert (second.summary, second.is_example) == ("", True)


def test_json_under_a_request_summary_is_not_a_reply_example() -> None:
    (block,) = parse_page("<details><summary>Request body</summary>\n\n```json\n{}\n```\n\n</details>\n").blocks
    assert not block.is_example and not block.is_sample
