"""Messages are kept in the session (``MESSAGE_STORAGE``): a page costs no cookie signer, and a
message still reaches the next page once, for a visitor without a session too."""

from django.contrib import messages
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect
from django.test import Client
from django.urls import path, reverse

from amtsweg import urls as amtsweg_urls


def noted(request):
    messages.info(request, "Ihr Antrag wurde gespeichert.")
    return redirect("tenants:portal_home")


def plain(request):
    return HttpResponse("ok")


urlpatterns = [
    path("_test/noted/", noted),
    path("_test/plain/", plain),
    *amtsweg_urls.urlpatterns,
]


def test_a_page_makes_no_cookie_signer(db, monkeypatch, settings):
    settings.ROOT_URLCONF = __name__
    signers = []
    original = signing.get_cookie_signer
    monkeypatch.setattr(
        signing, "get_cookie_signer", lambda **kwargs: signers.append(1) or original(**kwargs)
    )
    assert Client().get("/_test/plain/").status_code == 200
    assert Client().get(reverse("tenants:portal_home")).status_code == 200
    assert signers == []


def test_a_message_reaches_the_next_page_once(db, settings):
    settings.ROOT_URLCONF = __name__
    visitor = Client()
    answer = visitor.get("/_test/noted/")
    assert "messages" not in answer.cookies  # not in a cookie: in the session
    assert settings.SESSION_COOKIE_NAME in answer.cookies
    assert "Ihr Antrag wurde gespeichert." in visitor.get(answer["Location"]).content.decode()
    assert "Ihr Antrag wurde gespeichert." not in visitor.get(answer["Location"]).content.decode()
