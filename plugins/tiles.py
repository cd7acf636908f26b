"""Serve a plain background tile for the map, so that the site needs no external tile server."""

import struct
import zlib

from datasette import hookimpl
from datasette.utils.asgi import Response

TILE_SIZE = 256
BACKGROUND = (0xE8, 0xEE, 0xF2)


def png(width, height, rgb):
    """A one-colour PNG image."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


TILE = png(TILE_SIZE, TILE_SIZE, BACKGROUND)


async def tile(request):
    return Response(TILE, content_type="image/png", headers={"Cache-Control": "max-age=31536000, immutable"})


@hookimpl
def register_routes():
    return [(r"^/-/tiles/(?P<z>\d{1,2})/(?P<x>\d{1,7})/(?P<y>\d{1,7})\.png$", tile)]
