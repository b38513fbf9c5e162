"""The ASGI application for servers started by name (uvicorn civic.asgi:app)."""

from civic.app import create_app

app = create_app()
