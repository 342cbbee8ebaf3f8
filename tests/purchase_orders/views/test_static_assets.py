"""Every asset a page loads is the portal's own, under static/."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# An asset reference: a script, stylesheet, icon, image or media source, or a
# CSS url() or @import.
ASSET = re.compile(
    r'<(?:script|img|source|iframe|link)\b[^>]*?\b(?:src|href)\s*=\s*"([^"]+)"'
    r"""|url\(\s*["']?([^"')]+)|@import\s+["']([^"']+)""",
    re.IGNORECASE,
)
STATIC_TAG = re.compile(r"^\{%\s*static\s+'[^']+'\s*%\}$")


def asset_references() -> list[tuple[str, str]]:
    found = []
    for folder, pattern in (("templates", "*.html"), ("static", "*.css"), ("static", "*.js")):
        for path in sorted((ROOT / folder).rglob(pattern)):
            for match in ASSET.finditer(path.read_text()):
                reference = next(group for group in match.groups() if group)
                found.append((str(path.relative_to(ROOT)), reference))
    return found


def test_pages_load_assets_only_from_static_files():
    references = asset_references()

    outside = [
        (path, reference)
        for path, reference in references
        if not STATIC_TAG.match(reference) and not reference.startswith("data:")
    ]
    assert len(references) >= 5
    assert outside == []


def test_every_static_reference_names_a_file_in_static():
    names = [
        re.search(r"'([^']+)'", reference).group(1)
        for _, reference in asset_references()
        if STATIC_TAG.match(reference)
    ]

    missing = [name for name in names if not (ROOT / "static" / name).is_file()]
    assert names
    assert missing == []
