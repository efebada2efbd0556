"""The JSON API at /api/v1/ (OpenAPI docs at /api/v1/docs). Thin: parse, call, shape."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.renderers import JSONRenderer

from hitonagare.core.errors import DomainError
from hitonagare.eligibility.api import router as eligibility_router
from hitonagare.recruiting.api import router as recruiting_router
from hitonagare.regions.api import router as regions_router


class JapaneseJSONRenderer(JSONRenderer):
    # Readable Japanese in responses (UTF-8) rather than \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=JapaneseJSONRenderer(),
    title="hitonagare API",
    version="1",
    description=(
        "地域おこし協力隊・地域プロジェクトマネージャー等の地域要件判定と市区町村の参照データ。"
        "エラーは JSON で、安定したコード（code）と日本語のメッセージ（message）を返します。"
    ),
    urls_namespace="api-v1",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body")]
        fields.append({"field": ".".join(loc), "message": err.get("msg", "")})
    names = "、".join(f["field"] for f in fields if f["field"]) or "入力"
    return api.create_response(
        request,
        {
            "code": "invalid_request",
            "message": f"{names} の値が正しくありません。",
            "fields": fields,
        },
        status=400,
    )


api.add_router("/eligibility", eligibility_router)
api.add_router("/", regions_router)
api.add_router("/openings", recruiting_router)
