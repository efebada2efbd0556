"""The one access gate of the staff pages: log-in, then a role, then the domain's answer.

`role_view(roles, template=…, context=…)` makes a view decorator: anonymous visitors go to
the log-in page; users of another role, and a PermissionDeniedError from a service, get the
403 page `template` (in Japanese, saying who may use the page); a NotFoundError from a
selector or service becomes the 404 page. Responses are never cached.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from hitonagare.accounts.roles import Role, role_of

from .errors import NotFoundError, PermissionDeniedError

View = Callable[..., HttpResponseBase]


def role_view(
    roles: Collection[Role], *, template: str, context: Mapping[str, Any] | None = None
) -> Callable[[View], View]:
    def forbidden(request: HttpRequest) -> HttpResponse:
        return render(request, template, dict(context or {}), status=403)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if role_of(request.user) not in roles:
                return forbidden(request)
            try:
                return view(request, *args, **kwargs)
            except PermissionDeniedError:
                return forbidden(request)
            except NotFoundError as error:
                raise Http404(error.message) from None

        return login_required(never_cache(wrapper))

    return decorator
