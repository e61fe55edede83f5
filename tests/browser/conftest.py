"""Browser tests reuse the web fixtures (a demo workspace behind a real uvicorn server on 127.0.0.1)."""

from tests.web.conftest import fresh_web, live_server

__all__ = ["fresh_web", "live_server"]
