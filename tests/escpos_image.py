"""Reading ESC/POS bytes back, for tests: the raster images (GS v 0) as Pillow images,
and the text printed in a code page. Enough of the protocol for what Guichet sends."""

from __future__ import annotations

from collections.abc import Iterator

from PIL import Image

_RASTER = b"\x1dv0"


def _rasters(data: bytes) -> Iterator[tuple[int, int, int, int]]:
    """(command start, payload start, bytes per row, rows) of each GS v 0 image, in order.

    Scanning resumes after each payload, so pixels that happen to spell GS v 0
    are never taken for a command.
    """
    position = 0
    while (start := data.find(_RASTER, position)) >= 0:
        width_bytes = int.from_bytes(data[start + 4 : start + 6], "little")
        height = int.from_bytes(data[start + 6 : start + 8], "little")
        payload = start + 8
        yield start, payload, width_bytes, height
        position = payload + width_bytes * height


def raster_images(data: bytes) -> list[Image.Image]:
    """Every GS v 0 image in ``data``, black ink as black pixels."""
    images = []
    for _start, payload, width_bytes, height in _rasters(data):
        bits = data[payload : payload + width_bytes * height]
        # In ESC/POS a set bit is a dot burnt black; in Pillow's mode 1 a set bit is white.
        inverted = bytes(255 - b for b in bits)
        images.append(Image.frombytes("1", (width_bytes * 8, height), inverted))
    return images


def stacked(images: list[Image.Image]) -> Image.Image:
    """The images one under the other, as they come out of the printer."""
    width = max(image.width for image in images)
    result = Image.new("1", (width, sum(image.height for image in images)), 1)
    top = 0
    for image in images:
        result.paste(image, (0, top))
        top += image.height
    return result


def without_images(data: bytes) -> bytes:
    """``data`` with the GS v 0 image payloads cut out (so text searches do not hit pixels)."""
    out, position = bytearray(), 0
    for start, payload, width_bytes, height in _rasters(data):
        out += data[position:start]
        position = payload + width_bytes * height
    out += data[position:]
    return bytes(out)
