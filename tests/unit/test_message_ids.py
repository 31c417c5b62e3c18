"""Every message id the code can emit is documented, and the catalogue lists no id the code lacks."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_message_ids_are_documented() -> None:
    used = set()
    for path in (ROOT / "gateway").rglob("*.py"):
        used |= set(re.findall(r'"(ILP-\d{4})"', path.read_text()))
    documented = set(re.findall(r"^\| (ILP-\d{4}) \|", (ROOT / "docs" / "message-ids.md").read_text(), re.M))
    assert used == documented
