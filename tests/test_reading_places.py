"""Places: acts of force aimed at a named city act on the city's country."""

from __future__ import annotations

import pytest

from stakes.reading.gazetteer import default_gazetteer
from stakes.reading.nlp import nlp_pipeline
from stakes.reading.places import place_country, place_key, place_table
from tests.coding import coded as coded_events


def test_place_names_fold_case_accents_and_apostrophes():
    assert place_key("  Zaporizhzhia ") == "ZAPORIZHZHIA"
    assert place_key("Bogotá") == "BOGOTA"
    assert place_key("Kostiantynivka’s") == place_key("Kostiantynivka's")


@pytest.mark.parametrize("name, country", [
    ("Kherson", "UKR"), ("Kiev", "UKR"), ("Kyiv", "UKR"), ("Masyaf", "SYR"), ("Goma", "COD"),
    ("Bogota", "COL"), ("Khan Yunis", "PSE"),
])
def test_cities_resolve_to_their_country(name, country):
    assert place_country(name) == country


def test_names_shared_by_comparable_cities_in_two_countries_are_left_out():
    assert place_country("Rafah") is None  # Gaza and Egypt
    assert place_country("Nowhere In Particular") is None


def test_every_country_in_the_table_is_one_the_gazetteer_knows():
    countries = set(default_gazetteer().countries)
    assert set(place_table().values()) <= countries


@pytest.fixture(scope="module")
def nlp():
    return nlp_pipeline()


def coded(nlp, text: str) -> set[tuple[str | None, str, str | None]]:
    return {(s, c[:2], t) for s, c, t in coded_events(nlp, text)}  # CAMEO roots



@pytest.mark.parametrize("text, target", [
    ("Russian forces shelled residential areas of Kherson overnight.", "UKR"),
    ("Israeli jets bombed a weapons depot near Masyaf.", "SYR"),
])
def test_force_aimed_at_a_city_acts_on_its_country(nlp, text, target):
    found = coded(nlp, text)
    assert any(code in {"18", "19", "20"} and t == target for _, code, t in found), found


def test_force_in_the_sources_own_country_is_not_aimed_at_it(nlp):
    found = coded(nlp, "Kenyan police fired tear gas in Nairobi.")
    assert all(t != "KEN" for _, _, t in found), found


def test_an_actor_target_beats_the_place(nlp):
    found = coded(nlp, "Israeli jets struck Hezbollah positions near Damascus.")
    assert {t for _, _, t in found} == {"LBNREB"}, found
