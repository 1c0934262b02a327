"""Every navigation declaration is sound, and the shell shows each kind of user only what they may open."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tanpuhui.common import navigation
from tanpuhui.common.scoping import AUDIENCES
from tanpuhui.common.tests import walls

pytestmark = pytest.mark.django_db


def test_every_item_names_a_known_audience_and_a_resolvable_page():
    navigation.discover()
    for item in navigation.ITEMS.values():
        assert item.audience in AUDIENCES, item.key
        assert reverse(item.url_name), item.key


def test_a_key_cannot_be_declared_twice_with_different_meaning():
    item = navigation.NavItem("test-twice", "A", "web:home", "public", "public")
    navigation.register(item)
    try:
        with pytest.raises(Exception, match="declared twice"):
            navigation.register(navigation.NavItem("test-twice", "B", "web:home", "public", "public"))
    finally:
        navigation.ITEMS.pop("test-twice")


@pytest.mark.parametrize("kind", sorted(walls.MEMBERS))
def test_no_user_has_more_than_five_tabs_and_every_item_shown_opens(kind, client, gz):
    user = walls.MEMBERS[kind](gz)
    tabs = navigation.items_for(user, tabs_only=True)
    assert 1 <= len(tabs) <= navigation.MAX_TABS, [i.key for i in tabs]
    items = navigation.items_for(user)
    client.force_login(user)
    for item in items:
        answer = client.get(item.url)
        assert answer.status_code in (200, 302), (kind, item.key, answer.status_code)
        if answer.status_code == 302:  # a redirect to another page of the product, never to the login
            assert "/login" not in answer["Location"], (kind, item.key)
