"""Login, logout and the privacy notice for the browser (session auth).

The account rules are the API's: ``credentials_check`` applies the
per-account lockout, and the per-address rate shares the API login's
``login`` throttle budget.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.throttling import SimpleRateThrottle

from backend.accounts.privacy import consent_required, notice
from backend.accounts.selectors import AUDITOR, EMPLOYEE, SUPERVISOR, landing_area
from backend.accounts.services import LoginRefused, consent_accept, credentials_check
from backend.lib.client_ip import client_ip

# Where each area starts: a URL name, and its path should the name not be
# registered (the supervisor and auditor pages live in their own modules).
AREA_START = {
    SUPERVISOR: ("web:supervisor-dashboard", "/atasan/"),
    AUDITOR: ("web:auditor-desk", "/audit/"),
    EMPLOYEE: ("web:home", "/"),
}


def area_start_url(area: str | None) -> str:
    if area is None:
        return reverse("web:no-area")
    name, fallback = AREA_START[area]
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def _next_url(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


class LoginThrottle(SimpleRateThrottle):
    """Logins per client address; the same budget as the API's login."""

    scope = "login"

    def get_cache_key(self, request: HttpRequest, view: object) -> str:  # type: ignore[override]
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),  # type: ignore[arg-type]
        }


class LoginForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("NIP or username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@sensitive_post_parameters("password")
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and request.user.is_authenticated:
        return HttpResponseRedirect(
            _next_url(request) or area_start_url(landing_area(request.user))
        )
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        throttle = LoginThrottle()
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            form.add_error(None, _("Too many login attempts. Wait a minute."))
            status = 429
        else:
            try:
                user = credentials_check(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    request=request,
                )
            except LoginRefused as refused:
                form.add_error(None, refused.message)
                status = 429 if refused.code == "locked" else 400
            else:
                login(request, user)
                target = _next_url(request)
                if consent_required(user):
                    query = urlencode({"next": target} if target else {})
                    return HttpResponseRedirect(
                        reverse("web:privacy") + (f"?{query}" if query else "")
                    )
                return HttpResponseRedirect(
                    target or area_start_url(landing_area(user))
                )
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "web/login.html",
        {"form": form, "next": _next_url(request) or ""},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("web:login"))


@never_cache
@require_http_methods(["GET", "POST"])
def privacy_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("web:login"))
    error = None
    if request.method == "POST":
        if request.POST.get("accept") == "yes":
            consent_accept(user=request.user, ip=client_ip(request))
            return HttpResponseRedirect(
                _next_url(request) or area_start_url(landing_area(request.user))
            )
        error = _("Tick the box to accept the notice.")
    return render(
        request,
        "web/privacy.html",
        {
            "notice": notice(),
            "required": consent_required(request.user),
            "next": _next_url(request) or "",
            "error": error,
        },
        status=400 if error else 200,
    )


def no_area_view(request: HttpRequest) -> HttpResponse:
    """A signed-in account with no employee record and no role."""
    return render(request, "web/no_area.html", status=403)
