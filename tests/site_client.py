"""A real Datasette over a built database, configured by server.py exactly as `make serve` configures it."""

import asyncio
import importlib.util

import yaml
from helpers import ROOT

import server

METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
SETTINGS = server.read_settings()


def load_plugin(name):
    """A module of plugins/ by file name, for testing its plain functions."""
    spec = importlib.util.spec_from_file_location(f"plugin_{name}", ROOT / "plugins" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Site:
    """Datasette's test client driven from synchronous tests."""

    def __init__(self, database_path):
        self.datasette = server.datasette_instance(database_path)
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.datasette.invoke_startup())

    def get(self, path, follow=True):
        """GET a path, following redirects unless follow is False."""
        return self.loop.run_until_complete(self.datasette.client.get(path, follow_redirects=follow))

    def json(self, path):
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response.json()

    def close(self):
        self.loop.close()
