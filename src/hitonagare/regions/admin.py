"""Read-only admin: reference data changes only through `hitonagare regions load`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ClassificationEdition, Designation, Municipality, Prefecture


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Prefecture)
class PrefectureAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kana", "in_three_metro_areas"]


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdmin):
    list_display = ["lgcode", "prefecture", "full_name", "full_kana", "kind"]
    list_filter = ["kind", "prefecture"]
    search_fields = ["lgcode", "full_name", "full_kana"]
    list_select_related = ["prefecture"]


@admin.register(ClassificationEdition)
class ClassificationEditionAdmin(ReadOnlyAdmin):
    list_display = ["basis_date", "title", "loaded_at"]


@admin.register(Designation)
class DesignationAdmin(ReadOnlyAdmin):
    list_display = ["municipality", "edition", "category_id", "area_type", "kaso_status"]
    list_filter = ["edition", "category_id", "area_type", "kaso_status", "in_metro"]
    search_fields = ["municipality__full_name", "municipality__lgcode"]
    list_select_related = ["municipality", "edition"]
