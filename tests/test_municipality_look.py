"""Each municipality's pages look like its own: logo or coat of arms, an accent colour that
keeps WCAG AA contrast, and a footer with its contact details next to imprint, privacy and
accessibility statement. The municipal admin sets them in the back office; only there."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from amtsweg.tenants.colours import contrast_ratio, validate_accent_colour
from amtsweg.tenants.logos import MAX_LOGO_BYTES, validate_logo
from tests.staff_login import login_staff

CLEAN_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 12">'
    b'<path d="M0 0h10v7l-5 5-5-5z" fill="#00549f"/></svg>'
)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 84, 159)).save(buffer, "PNG")
    return buffer.getvalue()


def logo_refusal(name: str, content: bytes) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_logo(SimpleUploadedFile(name, content))
    return refused.value.messages[0]


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)


def test_a_light_colour_is_refused_with_its_ratio_and_a_dark_one_accepted():
    validate_accent_colour("#00549f")
    with translation.override("de"), pytest.raises(ValidationError) as refused:
        validate_accent_colour("#ffcc00")
    message = refused.value.messages[0]
    assert "#ffcc00" in message and "1,51:1" in message and "mindestens 4,5:1" in message
    with translation.override("en"), pytest.raises(ValidationError) as malformed:
        validate_accent_colour("blue")
    assert "six hexadecimal digits" in malformed.value.messages[0]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("wappen.gif", b"GIF89a", "PNG, JPEG or SVG"),
        ("wappen.png", b"\xff\xd8\xff\xe0 jpeg", "not a PNG image"),
        ("wappen.png", b"\x89PNG\r\n\x1a\n" + b"0" * MAX_LOGO_BYTES, "at most 200 KB"),
        (
            "wappen.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "scripts",
        ),
        ("wappen.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "scripts"),
        (
            "wappen.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<image x:href="https://example.org/track.png"/></svg>',
            "link to other files",
        ),
        (
            "wappen.svg",
            b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg"/>',
            "DOCTYPE",
        ),
        ("wappen.svg", b"<html>no svg</html>", "not an SVG"),
    ],
)
def test_unsafe_or_wrong_logos_are_refused(name, content, expected):
    assert expected in logo_refusal(name, content)


def test_plain_svg_and_png_are_accepted():
    validate_logo(SimpleUploadedFile("wappen.svg", CLEAN_SVG))
    validate_logo(SimpleUploadedFile("wappen.png", png_bytes()))


@pytest.fixture
def admin_client(client, darmstadt_admin):
    login_staff(client, darmstadt_admin)
    return client


def settings_url(slug: str = "darmstadt") -> str:
    return reverse("tenants:appearance", args=[slug])


def test_the_admin_sees_the_refusal_and_nothing_is_saved(admin_client, darmstadt):
    response = admin_client.post(
        settings_url(),
        {"accent_colour": "#ffcc00", "city": "Darmstadt"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page and "Die Farbe #ffcc00 hat" in page
    darmstadt.refresh_from_db()
    assert darmstadt.accent_colour == "" and darmstadt.city == ""


def test_logo_colour_and_contact_appear_on_the_municipality_pages(admin_client, darmstadt):
    response = admin_client.post(
        settings_url(),
        {
            "logo": SimpleUploadedFile("wappen.svg", CLEAN_SVG, content_type="image/svg+xml"),
            "accent_colour": "#00549f",
            "authority_name": "Magistrat der Wissenschaftsstadt Darmstadt",
            "street": "Luisenplatz 5A",
            "postcode": "64283",
            "city": "Darmstadt",
            "phone": "+49 6151 0000-0",
            "email": "rathaus@darmstadt.example",
            "opening_hours": "Mo–Fr 8–12 Uhr\nDo 14–18 Uhr",
        },
    )
    assert response.status_code == 302
    darmstadt.refresh_from_db()
    assert darmstadt.logo.name.endswith(".svg")

    page = admin_client.get(
        reverse("catalog:municipality", args=["darmstadt"]), HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    logo_url = reverse("tenants:logo", args=["darmstadt"])
    assert f'<img class="amtsweg-logo" src="{logo_url}?v=' in page
    assert "--amtsweg-accent: #00549f;" in page and "amtsweg-header--accent" in page
    footer = page.split("<footer", 1)[1]
    assert "Kontakt Darmstadt" in footer
    for text in (
        "Luisenplatz 5A",
        "64283 Darmstadt",
        'href="tel:+4961510000-0"',
        'href="mailto:rathaus@darmstadt.example"',
        "Mo–Fr 8–12 Uhr<br>Do 14–18 Uhr",
    ):
        assert text in footer, text
    for page_name in ("imprint", "privacy", "accessibility"):
        assert reverse(f"core:{page_name}", args=["darmstadt"]) in footer

    logo = admin_client.get(logo_url)
    assert logo["Content-Type"] == "image/svg+xml"
    assert "sandbox" in logo["Content-Security-Policy"] and logo["X-Content-Type-Options"]
    assert b"".join(logo.streaming_content) == CLEAN_SVG


def test_the_admin_can_remove_the_logo(admin_client, darmstadt):
    darmstadt.logo.save("wappen.png", SimpleUploadedFile("wappen.png", png_bytes()))
    response = admin_client.post(settings_url(), {"remove_logo": "on"})
    assert response.status_code == 302
    darmstadt.refresh_from_db()
    assert not darmstadt.logo
    assert admin_client.get(reverse("tenants:logo", args=["darmstadt"])).status_code == 404


def test_only_the_municipalitys_own_admin_gets_the_settings(
    client, darmstadt, darmstadt_clerk, modautal, modautal_clerk, darmstadt_admin
):
    login_staff(client, darmstadt_clerk)
    assert client.get(settings_url()).status_code == 404
    login_staff(client, darmstadt_admin)
    assert client.get(settings_url("modautal")).status_code == 404
    assert client.post(settings_url("modautal"), {"accent_colour": "#000000"}).status_code == 404
    modautal.refresh_from_db()
    assert modautal.accent_colour == ""
    client.logout()
    assert client.get(settings_url()).status_code == 302  # to the log-in page


def test_the_back_office_header_links_the_settings_for_admins_only(
    client, darmstadt_admin, darmstadt_clerk
):
    link = f'href="{settings_url()}"'
    login_staff(client, darmstadt_admin)
    assert link in client.get(settings_url()).content.decode()
    login_staff(client, darmstadt_clerk)
    assert link not in client.get(reverse("cases:home"), follow=True).content.decode()
