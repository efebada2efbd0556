"""Recruiting JSON API (filled in by the openings API work)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["openings"])
