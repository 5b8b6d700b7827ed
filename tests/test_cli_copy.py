"""``propcrm copy``: a whole SQLite store moved into PostgreSQL, each table's count verified."""

from datetime import date
from pathlib import Path

import pytest

from propcrm.cli import main
from propcrm.customers import Customer
from propcrm.satisfaction import SurveyResponse
from propcrm.storage.postgres import PostgresStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.vip import VipLevel


def _source(path: Path) -> Path:
    with SqliteStore(path) as store:
        store.customers.add_all(Customer(f"C-{n}", "张三", household_id="H") for n in range(3))
        for _ in range(2):
            store.card_numbers.allocate("JK", VipLevel.GOVERNMENT_OFFICIAL)
        store.survey_responses.add(SurveyResponse("H-1", "东区", date(2025, 3, 1), recommend=9))
    return path


def test_copy_moves_every_row_and_reports_the_counts(
    tmp_path: Path, postgres_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """3 customers, 1 survey response and 2 sequences (cards, survey ids) arrive, counted."""
    assert main(["copy", "--from", str(_source(tmp_path / "crm.db")), "--to", postgres_db]) == 0
    out = capsys.readouterr().out
    assert "customers: 3 in the source, 3 in the target ok\n" in out
    assert "sequences: 2 in the source, 2 in the target ok\n" in out
    assert out.endswith("rows: every count matches\n")
    with PostgresStore(postgres_db) as store:
        assert [c.id for c in store.customers.in_household("H")] == ["C-0", "C-1", "C-2"]


def test_numbering_goes_on_where_the_source_stopped(tmp_path: Path, postgres_db: str) -> None:
    """After the copy the third card is number 3 and the second response id 2."""
    main(["copy", "--from", str(_source(tmp_path / "crm.db")), "--to", postgres_db])
    with PostgresStore(postgres_db) as store:
        assert store.card_numbers.allocate("JK", VipLevel.GOVERNMENT_OFFICIAL) == 3
        second = SurveyResponse("H-2", "东区", date(2025, 3, 2), recommend=8)
        assert store.survey_responses.add(second) == "000000000002"


def test_a_target_holding_rows_is_refused_and_left_alone(
    tmp_path: Path, postgres_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Copying into a store that has data exits 2 and changes nothing there."""
    with PostgresStore(postgres_db) as store:
        store.customers.add(Customer("X-1", "王五"))
    status = main(["copy", "--from", str(_source(tmp_path / "crm.db")), "--to", postgres_db])
    assert status == 2
    assert "holds rows already" in capsys.readouterr().err
    with PostgresStore(postgres_db) as store:
        assert (len(store.customers), len(store.survey_responses)) == (1, 0)


def test_a_missing_source_is_refused(
    tmp_path: Path, postgres_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A source file that does not exist exits 2 saying it cannot be opened."""
    assert main(["copy", "--from", str(tmp_path / "none.db"), "--to", postgres_db]) == 2
    assert "cannot open" in capsys.readouterr().err
