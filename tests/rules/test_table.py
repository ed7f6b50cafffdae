"""``priorauth rules table``: each policy with window, source and quote kinds; the README copy."""

from __future__ import annotations

from click.testing import CliRunner

from priorauth.cli import cli
from priorauth.paths import rules_dir
from priorauth.rules import Policy, load_rules
from priorauth.rules.table import TABLE_BEGIN, TABLE_END, policy_table, quote_counts

README = rules_dir() / "README.md"


def readme_table() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(TABLE_BEGIN) + len(TABLE_BEGIN) + 1
    return text[start : text.index(TABLE_END)]


def test_the_readme_table_is_the_commands_output():
    result = CliRunner().invoke(cli, ["rules", "table"])
    assert result.exit_code == 0, result.output
    assert readme_table() == result.stdout, (
        "payer_rules/README.md is out of date: run `priorauth rules table` and paste its output "
        f"between the lines {TABLE_BEGIN!r} and {TABLE_END!r}"
    )


def test_one_row_per_policy_file():
    rows = policy_table(load_rules()).splitlines()[2:]
    assert sorted(row.split(" | ")[0].strip("| `") for row in rows) == load_rules().ids()


def policy(**changes: object) -> Policy:
    data: dict[str, object] = {
        "id": "demo",
        "version": "1",
        "status": "active",
        "payer": {"id": "acme", "name": "Acme"},
        "title": "TMS",
        "sources": [
            {"url": "https://example.org/summary", "reliability": "secondary"},
            {"url": "https://acme.example/tms", "reliability": "primary"},
        ],
        "effective": {"from": "2025-01-01"},
        "last_reviewed": "2026-01-01",
        "criteria": {
            "all": [
                {"id": "a", "kind": "age", "min": 18, "title": "A", "quote": "q"},
                {
                    "id": "b",
                    "kind": "age",
                    "min": 18,
                    "title": "B",
                    "quote": "q",
                    "quote_kind": "verbatim",
                },
            ],
            "quote": "all of these",
            "quote_kind": "paraphrase",
        },
        "attestations": [{"id": "c", "text": "T", "quote": "q", "quote_kind": "verbatim"}],
    }
    data.update(changes)
    return Policy.model_validate(data)


def test_a_row_names_the_primary_source_and_counts_quotes_by_kind():
    assert quote_counts(policy()) == (2, 2)
    assert policy_table([policy()]).splitlines()[2] == (
        "| `demo` | acme | active | 2025-01-01 to open | https://acme.example/tms | 2 | 2 |"
    )


def test_dates_from_secondary_sources_only_are_unverified():
    secondary = policy(sources=[{"url": "https://example.org/summary", "reliability": "news"}])
    assert "| 2025-01-01 to open (unverified) |" in policy_table([secondary])


def test_an_unverified_window_and_a_secondary_only_source_are_said():
    unverified = policy(
        effective={"from": "2025-01-01", "review": "month only, from a summary"},
        sources=[{"url": "https://example.org/summary", "reliability": "secondary"}],
    )
    assert policy_table([unverified]).splitlines()[2] == (
        "| `demo` | acme | active | 2025-01-01 to open (unverified) | "
        "https://example.org/summary (secondary; no primary source) | 2 | 2 |"
    )
