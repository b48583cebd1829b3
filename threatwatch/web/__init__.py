"""The web server (`threatwatch serve`): a read-only JSON API and server-rendered pages over a
store, every asset bundled so that it works offline. See `create_app`."""

from threatwatch.web.app import create_app

__all__ = ["create_app"]
