"""Official area keys (AGS/ARS), municipality validation and the citizen's municipality search."""

import pytest
from django.core.exceptions import ValidationError

from amtsweg.lib.keys import ags_matches_ars, validate_ags, validate_ars
from amtsweg.tenants.services import search_municipalities
from tests.factories import MunicipalityFactory, ServiceFactory


def error_code(validator, value: str) -> str:
    with pytest.raises(ValidationError) as raised:
        validator(value)
    return raised.value.code


@pytest.mark.parametrize(
    "ags",
    [
        "06411000",  # Darmstadt, kreisfreie Stadt
        "06432013",  # Modautal
        "01001000",  # Flensburg: the first Land
        "16077052",  # Thuringia: the last Land
        "06432",  # Landkreis Darmstadt-Dieburg: a 5-digit Kreisschlüssel
    ],
)
def test_valid_ags(ags):
    validate_ags(ags)


@pytest.mark.parametrize("ars", ["064110000000", "064320013013", "064320000000", "160770052052"])
def test_valid_ars(ars):
    validate_ars(ars)


@pytest.mark.parametrize(
    ("ags", "code"),
    [
        ("0641100", "ags_format"),  # 7 digits
        ("064110000", "ags_format"),  # 9 digits
        ("064", "ags_format"),
        ("", "ags_format"),
        ("0641100A", "ags_format"),
        ("06 411 000", "ags_format"),
        ("06411000\n", "ags_format"),
        ("00411000", "ags_land"),
        ("17411000", "ags_land"),
        ("99411", "ags_land"),  # a district key needs a real Land too
    ],
)
def test_invalid_ags_is_rejected_with_its_reason(ags, code):
    assert error_code(validate_ags, ags) == code


@pytest.mark.parametrize(
    ("ars", "code"),
    [
        ("06411000000", "ars_format"),  # 11 digits
        ("0641100000000", "ars_format"),  # 13 digits
        ("06411000", "ars_format"),  # an AGS is not an ARS
        ("06411000000X", "ars_format"),
        ("064110000000\n", "ars_format"),
        ("004110000000", "ars_land"),
        ("174110000000", "ars_land"),
    ],
)
def test_invalid_ars_is_rejected_with_its_reason(ars, code):
    assert error_code(validate_ars, ars) == code


@pytest.mark.parametrize(
    ("validator", "value"),
    [
        (validate_ags, "06４１１０００"),  # full-width digits after the Land code
        (validate_ars, "06" + "４１１" + "０" * 7),
        (validate_ags, "06٤١١٠٠٠"),  # Arabic-Indic digits
    ],
)
def test_non_ascii_digits_are_no_key(validator, value):
    with pytest.raises(ValidationError):
        validator(value)


@pytest.mark.parametrize(
    ("ags", "ars", "matches"),
    [
        ("06411000", "064110000000", True),  # Darmstadt
        ("06432013", "064320013013", True),  # Modautal
        ("06432016", "064320016016", True),  # Ober-Ramstadt
        ("06432", "064320000000", True),  # Landkreis Darmstadt-Dieburg
        ("06432013", "064320016016", False),  # Modautal's AGS, Ober-Ramstadt's ARS
        ("06411000", "064320000000", False),  # other Kreis
        ("06432", "064320013013", False),  # a district is not one of its municipalities
        ("06432013", "064320000000", False),  # ... nor the reverse
        ("06432013", "064310013013", False),  # same Gemeinde number, other Kreis
    ],
)
def test_ags_matches_ars(ags, ars, matches):
    assert ags_matches_ars(ags, ars) is matches


@pytest.mark.django_db
class TestMunicipalityValidation:
    def test_mismatching_ars_is_refused(self):
        municipality = MunicipalityFactory.build(ags="06432013", ars="064320016016")
        with pytest.raises(ValidationError) as raised:
            municipality.full_clean()
        assert "ars" in raised.value.message_dict
        assert "06432013" in raised.value.message_dict["ars"][0]

    def test_matching_keys_pass(self):
        MunicipalityFactory.build(ags="06432013", ars="064320013013").full_clean()

    @pytest.mark.parametrize("postcodes", ["6439", "64397 643970", "64397 6439a", "D-64397"])
    def test_postcodes_must_have_five_digits(self, postcodes):
        municipality = MunicipalityFactory.build(postcodes=postcodes)
        with pytest.raises(ValidationError) as raised:
            municipality.full_clean()
        assert "postcodes" in raised.value.message_dict

    def test_full_width_postcode_is_refused(self):
        with pytest.raises(ValidationError):
            MunicipalityFactory.build(postcodes="６４３９７").full_clean()

    def test_postcodes_are_normalised(self):
        municipality = MunicipalityFactory.build(postcodes=" 64289  64283 64289 ")
        municipality.full_clean()
        assert municipality.postcodes == "64283 64289"
        assert municipality.postcode_list == ["64283", "64289"]

    @pytest.mark.parametrize("prefix", ["D", "da", "DA1", "DARMSTA"])
    def test_reference_prefix_is_two_to_six_capitals(self, prefix):
        with pytest.raises(ValidationError) as raised:
            MunicipalityFactory.build(reference_prefix=prefix).full_clean()
        assert "reference_prefix" in raised.value.message_dict

    def test_reference_prefix_with_trailing_newline_is_refused(self):
        with pytest.raises(ValidationError):
            MunicipalityFactory.build(reference_prefix="DA\n").full_clean()


@pytest.mark.django_db
class TestLeikaKey:
    def test_fourteen_digits_starting_with_99(self):
        ServiceFactory.build(leika_key="99036011001000").full_clean()

    @pytest.mark.parametrize(
        "key", ["9903601100100", "990360110010000", "98036011001000", "99O36011001000"]
    )
    def test_other_keys_are_refused(self, key):
        with pytest.raises(ValidationError) as raised:
            ServiceFactory.build(leika_key=key).full_clean()
        assert "leika_key" in raised.value.message_dict

    def test_full_width_digits_are_refused(self):
        with pytest.raises(ValidationError):
            ServiceFactory.build(leika_key="99" + "０" * 12).full_clean()


@pytest.mark.django_db
class TestSearchMunicipalities:
    @pytest.fixture(autouse=True)
    def _places(self, darmstadt, modautal, ober_ramstadt):
        pass

    def test_name_fragment_case_insensitive(self):
        assert [m.short_name for m in search_municipalities("ramst")] == ["Ober-Ramstadt"]
        assert [m.short_name for m in search_municipalities("  MODAU ")] == ["Modautal"]

    def test_official_name_matches_too(self):
        assert [m.short_name for m in search_municipalities("Wissenschaftsstadt")] == ["Darmstadt"]

    def test_fragment_shared_by_several(self):
        assert {m.short_name for m in search_municipalities("stadt")} == {
            "Darmstadt",
            "Ober-Ramstadt",
        }

    def test_by_postcode(self):
        assert [m.short_name for m in search_municipalities("64397")] == ["Modautal"]
        assert [m.short_name for m in search_municipalities("64289")] == ["Darmstadt"]

    def test_postcode_matches_only_whole_codes(self):
        # "42836" occurs in Darmstadt's list only across a space ("64283 64285"): no match.
        assert list(search_municipalities("28364")) == []
        assert list(search_municipalities("64280")) == []

    def test_umlaut_at_the_start_is_found_in_lower_case(self):
        MunicipalityFactory(short_name="Überlingen", name="Überlingen, Stadt")
        assert [m.short_name for m in search_municipalities("überlingen")] == ["Überlingen"]

    @pytest.mark.parametrize(
        "query", ["", "   ", "🐕", "🐕 64283a", "６４２８３", "%", "_", "' OR 1=1 --", "x" * 500]
    )
    def test_garbage_finds_nothing(self, query):
        assert list(search_municipalities(query)) == []

    def test_control_characters_are_ignored_not_an_error(self):
        # PostgreSQL refuses NUL in a query; the search drops such characters instead.
        assert [m.short_name for m in search_municipalities("Darm\x00stadt")] == ["Darmstadt"]
