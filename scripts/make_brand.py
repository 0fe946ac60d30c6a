"""Draw the integration's brand images into custom_components/voicemail/brand/.

The classic voicemail glyph (two rings joined by a bar along their bottoms), white
on a blue rounded square; the logo adds the name beside it. Run it with the
project's Python (Pillow comes with Home Assistant):

    .venv/bin/python scripts/make_brand.py

As Home Assistant's brand guidelines ask (the brands repository's README): PNG with
transparency, trimmed to the artwork (no empty border); the icon square, 256x256 and
512x512 for @2x, the artwork filling it; the logo landscape, its shortest side at the
largest size allowed (256, 512 for @2x). tests/test_metadata.py checks all of it.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND = Path(__file__).parent.parent / "custom_components" / "voicemail" / "brand"
BLUE = (3, 102, 214, 255)
WHITE = (255, 255, 255, 255)
TEXT = (33, 33, 33, 255)
DARK_TEXT = (236, 236, 236, 255)
CLEAR = (0, 0, 0, 0)
SCALE = 4
"""Draw this many times larger, then shrink: smooth edges without anti-aliasing support."""
ICON_SIZE = 256
LOGO_HEIGHT = 256
"""The logo's shortest side: the largest the guidelines allow (128 to 256 pixels)."""


def _draw_tile(big: int) -> Image.Image:
    """Draw the icon `big` pixels wide: the glyph on a blue square filling the image."""
    image = Image.new("RGBA", (big, big), CLEAR)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=BLUE)
    # Two rings whose bottoms a straight bar joins.
    stroke = big // 16
    radius = big // 6
    centre_y = big // 2
    left_x = big // 2 - big // 5
    right_x = big // 2 + big // 5
    for centre_x in (left_x, right_x):
        draw.ellipse(
            (
                centre_x - radius,
                centre_y - radius,
                centre_x + radius,
                centre_y + radius,
            ),
            outline=WHITE,
            width=stroke,
        )
    bottom = centre_y + radius
    draw.rectangle((left_x, bottom - stroke, right_x, bottom), fill=WHITE)
    return image


def _tile(size: int) -> Image.Image:
    """Return the icon, `size` pixels square."""
    big = _draw_tile(size * SCALE)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def _logo(height: int, text_colour: tuple[int, int, int, int]) -> Image.Image:
    """Return the logo: the icon and the name beside it, trimmed, `height` pixels high."""
    big = height * SCALE
    canvas = Image.new("RGBA", (big * 4, big), CLEAR)
    canvas.alpha_composite(_draw_tile(big), (0, 0))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=big * 2 // 5)
    left = big + big // 6
    # Two lines, their ink inside the icon's height (the icon sets the logo's height).
    draw.text((left, big * 9 // 20), "ICWS", font=font, fill=text_colour, anchor="ls")
    draw.text(
        (left, big * 18 // 20), "Voicemail", font=font, fill=text_colour, anchor="ls"
    )
    trimmed = canvas.crop(canvas.getbbox())
    width = round(trimmed.width * height / trimmed.height)
    return trimmed.resize((width, height), Image.Resampling.LANCZOS)


def main() -> None:
    """Write icon, logo and their @2x and dark variants."""
    BRAND.mkdir(exist_ok=True)
    images = {
        "icon.png": _tile(ICON_SIZE),
        "icon@2x.png": _tile(ICON_SIZE * 2),
        "logo.png": _logo(LOGO_HEIGHT, TEXT),
        "logo@2x.png": _logo(LOGO_HEIGHT * 2, TEXT),
        "dark_logo.png": _logo(LOGO_HEIGHT, DARK_TEXT),
        "dark_logo@2x.png": _logo(LOGO_HEIGHT * 2, DARK_TEXT),
    }
    for name, image in images.items():
        image.save(BRAND / name, optimize=True)
        print(BRAND.relative_to(BRAND.parent.parent.parent) / name, image.size)


if __name__ == "__main__":
    main()
