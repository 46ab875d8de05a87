"""The web app: ``stakes serve`` runs :func:`create_app` under uvicorn (pages, REST API, OpenAPI)."""

from stakes.web.app import Settings, create_app

__all__ = ["Settings", "create_app"]
