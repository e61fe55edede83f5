"""The dashboard (`shopops serve`): FastAPI + Jinja2 pages, a JSON API, accounts and shop scoping."""
