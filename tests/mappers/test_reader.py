"""Reading records: JSON and CSV, flattening, coercion by the contract, row numbers, nothing dropped."""

from __future__ import annotations

import io

import pytest

from mappers.contract import Contract
from mappers.reader import (
    ReaderError,
    SourceRow,
    csv_text,
    detect_format,
    read_csv,
    read_json,
    read_records,
    scalar,
)
from tests.mappers.conftest import balita_record


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.load("posyandu-balita")


def csv_rows(text: str, contract: Contract) -> list[SourceRow]:
    return list(read_records(text.encode(), "csv", contract))


def test_json_object_or_array() -> None:
    assert list(read_json(b'{"a": 1}')) == [SourceRow(1, {"a": 1})]
    rows = list(read_json(b'[{"a": 1}, 5, {"b": 2}]'))
    assert [(r.row, r.record) for r in rows] == [(1, {"a": 1}), (2, None), (3, {"b": 2})]
    assert [(i.row, i.message_id) for i in rows[1].issues] == [(2, "ILP-6014")]


@pytest.mark.parametrize(
    ("body", "message_id"), [(b"{not json", "ILP-6010"), (b'"text"', "ILP-6011"), (b"", "ILP-6010")]
)
def test_unreadable_json(body: bytes, message_id: str) -> None:
    with pytest.raises(ReaderError) as caught:
        read_json(body)
    assert caught.value.message_id == message_id


def test_csv_flattening_and_coercion(contract: Contract) -> None:
    text = (
        "record_id,weight_kg,height_cm,birth_order,development_ok,exclusive_breastfeeding,"
        "immunizations.0.vaccine,immunizations.0.dose,immunizations.1.vaccine,immunizations.1.dose,name\n"
        "A,10.9,84,0,ya,tidak,93005779,2,93005208,1, Siti \n"
        'B,"10,5",,,1,0,,,93005208,1,\n'
    )
    rows = csv_rows(text, contract)
    assert rows[0].record == {
        "record_id": "A",
        "weight_kg": 10.9,
        "height_cm": 84,
        "birth_order": 0,
        "development_ok": True,
        "exclusive_breastfeeding": False,
        "immunizations": [{"vaccine": "93005779", "dose": 2}, {"vaccine": "93005208", "dose": 1}],
        "name": "Siti",
    }
    # empty cells are absent; an array with a gap is compacted; a decimal comma is a decimal
    assert rows[1].record == {
        "record_id": "B",
        "weight_kg": 10.5,
        "development_ok": True,
        "exclusive_breastfeeding": False,
        "immunizations": [{"vaccine": "93005208", "dose": 1}],
    }


def test_cells_that_do_not_coerce_stay_text_for_the_contract(contract: Contract) -> None:
    [row] = csv_rows("record_id,weight_kg,development_ok,birth_order\nA,berat,mungkin,1.5\n", contract)
    assert row.record == {
        "record_id": "A",
        "weight_kg": "berat",
        "development_ok": "mungkin",
        "birth_order": "1.5",
    }
    fields = {i.field: i.message_id for i in contract.check(row.record, row.row)}
    assert fields["weight_kg"] == fields["development_ok"] == fields["birth_order"] == "ILP-6002"


def test_a_non_ascii_digit_in_a_column_path_is_a_name_not_an_index(contract: Contract) -> None:
    """Found by fuzzing: "²" passes str.isdigit but not int(), and the upload was a 500. It is a member name
    now, so the contract reports the field instead."""
    [row] = csv_rows("record_id,immunizations.\u00b2.vaccine\nA,BCG\n", contract)
    assert row.record == {"record_id": "A", "immunizations": {"\u00b2": {"vaccine": "BCG"}}}
    assert "immunizations" in {i.field for i in contract.check(row.record, row.row)}


def test_semicolon_csv_with_bom_and_crlf(contract: Contract) -> None:
    text = "\ufeffrecord_id;weight_kg\r\nA;10,9\r\nB;8\r\n"
    assert [r.record for r in csv_rows(text, contract)] == [
        {"record_id": "A", "weight_kg": 10.9},
        {"record_id": "B", "weight_kg": 8},
    ]


def test_row_numbers_and_broken_rows(contract: Contract) -> None:
    text = 'record_id,name\nA,Siti\n\nC,Budi,extra\n,\nE,"Dewi\nPutri"\nF,Eko\n'
    rows = csv_rows(text, contract)
    assert [(r.row, r.record["record_id"] if r.record else None) for r in rows] == [
        (1, "A"),
        (3, None),  # too many cells
        (4, None),  # all cells empty
        (5, "E"),  # a quoted line break stays inside the cell
        (6, "F"),
    ]
    assert [i.message_id for i in rows[1].issues] == ["ILP-6013"]
    assert [i.message_id for i in rows[2].issues] == ["ILP-6015"]
    assert rows[3].record == {"record_id": "E", "name": "Dewi\nPutri"}


@pytest.mark.parametrize(
    ("text", "message_id"),
    [
        ("", "ILP-6011"),
        ("\n\n", "ILP-6011"),
        ("a,a\n1,2\n", "ILP-6012"),
        ("tb,tb.fever\n1,2\n", "ILP-6012"),
        ("a,,b\n1,2,3\n", "ILP-6012"),
    ],
)
def test_unreadable_csv(contract: Contract, text: str, message_id: str) -> None:
    with pytest.raises(ReaderError) as caught:
        csv_rows(text, contract)
    assert caught.value.message_id == message_id


def test_csv_must_be_utf8(contract: Contract) -> None:
    with pytest.raises(ReaderError) as caught:
        list(read_records("record_id\nJosé\n".encode("latin-1"), "csv", contract))
    assert caught.value.message_id == "ILP-6010"


def test_csv_is_read_lazily_from_a_file(contract: Contract) -> None:
    lines = io.StringIO("record_id\n" + "".join(f"R{i}\n" for i in range(5)), newline="")
    rows = read_csv(lines, contract)
    assert next(rows).record == {"record_id": "R0"}
    assert lines.tell() < len(lines.getvalue())


def test_csv_text_round_trips_a_record(contract: Contract) -> None:
    record = balita_record()
    [row] = csv_rows(csv_text([record]), contract)
    assert row.record == record


def test_scalar_and_format_detection() -> None:
    assert scalar("YA", frozenset({"boolean"})) is True
    assert scalar("no", frozenset({"boolean"})) is False
    assert scalar("007", frozenset({"string"})) == "007"
    assert scalar("7", frozenset({"number"})) == 7
    assert scalar("1e3", frozenset({"number"})) == 1000.0
    assert detect_format("text/csv; charset=utf-8") == "csv"
    assert detect_format("application/json") == "json"
    assert detect_format(None, "visits.CSV") == "csv"
    assert detect_format(None, None) == "json"
