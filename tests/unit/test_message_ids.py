"""Every message id the code can emit is documented, and the catalogue lists no id the code lacks."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_message_ids_are_documented() -> None:
    used = set()
    for path in [
        *(ROOT / "gateway").rglob("*.py"),
        *(ROOT / "profiles").rglob("*.py"),
        *(ROOT / "mappers").rglob("*.py"),
    ]:
        used |= set(re.findall(r'"(ILP-\d{4})"', path.read_text()))
    documented = set(re.findall(r"^\| (ILP-\d{4}) \|", (ROOT / "docs" / "message-ids.md").read_text(), re.M))
    profile_rules = set()
    for path in (ROOT / "profiles" / "data").rglob("*.json"):
        profile_rules |= set(re.findall(r'"valueCode": ?"(ILP-\d{4})"', path.read_text()))
    assert used | profile_rules <= documented
    assert documented - used - profile_rules == set(), "documented ids that nothing emits"
