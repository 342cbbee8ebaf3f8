"""URLs of the procurement portal."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from procurement.health import healthz
from procurement.login_limits import RateLimitedAuthenticationForm
from procurement.sessions import SignInView
from purchase_orders import views as portal_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", portal_views.home, name="home"),
    path(
        "login/",
        SignInView.as_view(
            redirect_authenticated_user=True, authentication_form=RateLimitedAuthenticationForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("purchase_orders.urls")),
    # The webhooks the network calls, and their OpenAPI description and docs.
    path("", include("purchase_orders.api.urls")),
]
