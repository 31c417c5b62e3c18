"""The ilp-gateway command line (typer's CliRunner; no server)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gateway.cli import app
from tests.conftest import patient

runner = CliRunner()
ILP_PATIENT = "https://ilp-gateway.example.id/fhir/StructureDefinition/ilp-patient"


def codes(output: str) -> list[str]:
    body = json.loads(output)
    assert body["resourceType"] == "OperationOutcome"
    return [i["details"]["coding"][0]["code"] for i in body["issue"]]


def test_validate_valid_file(tmp_path: Path) -> None:
    f = tmp_path / "p.json"
    f.write_text(json.dumps(patient()))
    result = runner.invoke(app, ["validate", str(f)])
    assert result.exit_code == 0 and codes(result.stdout) == ["ILP-0000"]


def test_validate_errors_exit_1(tmp_path: Path) -> None:
    f = tmp_path / "p.json"
    f.write_text(json.dumps(patient(gender="wanita")))
    result = runner.invoke(app, ["validate", str(f), "--profile", ILP_PATIENT])
    assert result.exit_code == 1
    assert codes(result.stdout) == ["ILP-4101", "ILP-4001", "ILP-4101", "ILP-4101"]  # by path


def test_validate_stdin_and_bad_input(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["validate", "-"], input=json.dumps(patient()))
    assert ok.exit_code == 0
    bad = runner.invoke(app, ["validate", "-"], input="{nope")
    assert bad.exit_code == 2 and "not valid JSON" in bad.stderr
    missing = runner.invoke(app, ["validate", str(tmp_path / "absent.json")])
    assert missing.exit_code == 2 and "cannot read" in missing.stderr


def test_validate_with_store_checks_references(tmp_path: Path) -> None:
    f = tmp_path / "o.json"
    f.write_text(
        json.dumps(
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "x"},
                "subject": {"reference": "Patient/nobody"},
            }
        )
    )
    result = runner.invoke(app, ["validate", str(f), "--store", f"sqlite:///{tmp_path}/s.db"])
    assert result.exit_code == 1 and codes(result.stdout) == ["ILP-4503"]


def test_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0 and "FHIR R4 4.0.1" in result.stdout
