"""Draw the integration's brand images into custom_components/voicemail/brand/.

The classic voicemail glyph (two rings joined by a bar along their bottoms), white
on a blue rounded square; the logo adds the name beside it. Run it with the
project's Python (Pillow comes with Home Assistant):

    .venv/bin/python scripts/make_brand.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND = Path(__file__).parent.parent / "custom_components" / "voicemail" / "brand"
BLUE = (3, 102, 214, 255)
WHITE = (255, 255, 255, 255)
TEXT = (33, 33, 33, 255)
DARK_TEXT = (236, 236, 236, 255)
SCALE = 4
"""Draw this many times larger, then shrink: smooth edges without anti-aliasing support."""


def _tile(size: int) -> Image.Image:
    """Return the icon: the glyph on a blue rounded square, `size` pixels wide."""
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
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
    draw.rectangle(
        (left_x, bottom - stroke, right_x, bottom),
        fill=WHITE,
    )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _logo(height: int, text_colour: tuple[int, int, int, int]) -> Image.Image:
    """Return the logo: the icon and the name beside it, twice as wide as high."""
    width = height * 2
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    icon = _tile(height * 3 // 4)
    margin = (height - icon.height) // 2
    image.alpha_composite(icon, (margin, margin))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=height // 5)
    left = margin * 2 + icon.width
    draw.text((left, height // 2), "ICWS", font=font, fill=text_colour, anchor="ls")
    draw.text(
        (left, height // 2 + height // 5),
        "Voicemail",
        font=font,
        fill=text_colour,
        anchor="ls",
    )
    return image


def main() -> None:
    """Write icon, logo and their @2x and dark variants."""
    BRAND.mkdir(exist_ok=True)
    _tile(256).save(BRAND / "icon.png")
    _tile(512).save(BRAND / "icon@2x.png")
    _logo(256, TEXT).save(BRAND / "logo.png")
    _logo(512, TEXT).save(BRAND / "logo@2x.png")
    _logo(256, DARK_TEXT).save(BRAND / "dark_logo.png")
    _logo(512, DARK_TEXT).save(BRAND / "dark_logo@2x.png")
    for path in sorted(BRAND.glob("*.png")):
        print(path.relative_to(BRAND.parent.parent.parent))


if __name__ == "__main__":
    main()
