"""live/changes.py: what a fresh recording changed against the committed cassettes, per scenario."""

from __future__ import annotations

from pathlib import Path

from aimlapi_contract.live.changes import compare, main, render_markdown

CHAT = "POST /v1/chat/completions"


def cassette(directory: Path, scenario: str, status: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"test_scenario[{scenario}].yaml").write_text(
        "interactions:\n- request: {method: POST, uri: 'http://h/v1/chat/completions', body: null, headers: {}}\n"
        f"  response: {{status: {{code: {status}, message: x}}, headers: {{}}, body: {{string: ''}}}}\nversion: 1\n"
    )


def finding(scenario: str, code: str, pointer: str, severity: str = "error") -> dict[str, object]:
    return {"code": code, "severity": severity, "source": f"x/test_scenario[{scenario}].yaml", "pointer": pointer, "endpoint": CHAT}


def test_status_findings_and_new_fields_are_reported_per_scenario(tmp_path: Path) -> None:
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    for scenario, (before, after) in {"chat-plain": (200, 200), "chat-n": (200, 429), "chat-stop": (200, 200)}.items():
        cassette(old_dir, scenario, before)
        cassette(new_dir, scenario, after)
    old = {"findings": [finding("chat-stop", "CT206", "/choices/0/finish_reason")]}
    new = {"findings": [finding("chat-plain", "CT207", "/service_tier", "warning"), finding("chat-n", "CT201", "")]}
    changes = {c.scenario: c for c in compare(old, old_dir, new, new_dir)}
    assert (changes["chat-n"].old_status, changes["chat-n"].new_status, changes["chat-n"].appeared) == ("200", "429", ["CT201"])
    assert changes["chat-plain"].new_fields == ["/service_tier"] and changes["chat-stop"].gone == ["CT206 /choices/0/finish_reason"]
    text = render_markdown(list(changes.values()))
    assert "3 scenario(s) recorded, 3 changed" in text and "| `chat-n` | 200 → 429 | `CT201` | - | - |" in text


def test_a_scenario_recorded_for_the_first_time_shows_no_committed_status(tmp_path: Path) -> None:
    cassette(tmp_path / "new", "chat-plain", 200)
    [change] = compare({}, tmp_path / "absent", {}, tmp_path / "new")
    assert (change.old_status, change.new_status, change.changed) == ("-", "200", True)


def test_an_unreadable_report_is_one_line_and_exit_2(tmp_path: Path, capsys: object) -> None:
    (tmp_path / "old.json").write_text("{not json")
    assert main([str(tmp_path / "old.json"), str(tmp_path), str(tmp_path / "new.json"), str(tmp_path)]) == 2
