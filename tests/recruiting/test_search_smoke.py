from __future__ import annotations

import pytest

from hitonagare.recruiting.selectors import opening_search, search_params_parse

from . import factories

pytestmark = pytest.mark.django_db


def test_two_character_four_character_and_two_term_queries_find_the_opening(reference_data):
    staff = factories.user(organisation=factories.municipality_org("325252"))
    wanted = factories.opening(staff=staff, title="地場産品の販路開拓と古民家カフェ")
    factories.opening(staff=staff, title="観光案内所の運営", summary="観光客の案内",
                      description="案内所での接客", themes=(factories.rules.Theme.TOURISM,))
    for q, expected in [("地場", {wanted.pk}), ("地場産品", {wanted.pk}), ("古民家 地場", {wanted.pk}),
                        ("案内所", None), ("海士", None)]:
        result = opening_search(params=search_params_parse(q=q))
        ids = {o.pk for o in result.items}
        if expected is not None:
            assert ids == expected, q
        assert result.total == len(ids)
