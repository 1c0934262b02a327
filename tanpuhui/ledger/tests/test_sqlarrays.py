import datetime
import uuid

import pytest
from django.db import connection

from tanpuhui.ledger.sqlarrays import array_literal


def test_numbers_as_they_are_everything_else_quoted():
    assert array_literal([1, None, 3]) == "{1,NULL,3}"
    assert array_literal([]) == "{}"
    assert array_literal(['a"b', "c,d", "x\\y", True]) == '{"a\\"b","c,d","x\\\\y",t}'
    assert array_literal([datetime.date(2026, 6, 3)]) == '{"2026-06-03"}'


@pytest.mark.django_db
def test_postgresql_reads_back_what_was_written():
    if connection.vendor != "postgresql":
        pytest.skip("array literals are PostgreSQL's")
    texts = ['a"b', "c,d", "x\\y", "", "NULL", " spaced ", "{}", None, "碳币"]
    ids = [uuid.uuid4(), None]
    when = [datetime.datetime(2026, 12, 1, 8, 30, tzinfo=datetime.UTC), None]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::text[], %s::uuid[], %s::timestamptz[], %s::bigint[]",
            [array_literal(texts), array_literal(ids), array_literal(when), array_literal([2**62, -1, None])],
        )
        assert cursor.fetchone() == (texts, ids, when, [2**62, -1, None])
