#!/usr/bin/env python3
"""Regenerate the Digital Agency design-token stylesheet from its npm package.

The UI follows デジタル庁デザインシステム, whose tokens are published as the npm
package ``@digital-go-jp/design-tokens`` (MIT). This script copies the CSS custom
properties the package ships (``dist/tokens.css``, variable names unchanged) into
the project's static files, with a provenance header, and copies the package's
licence next to it. Node is needed only to fetch the tarball; nothing here is
needed at run time.

Regenerate (from the repository root)::

    cd /tmp && npm pack @digital-go-jp/design-tokens@1.1.9
    .venv/bin/python scripts/build_design_tokens.py /tmp/digital-go-jp-design-tokens-1.1.9.tgz

The argument may be the ``npm pack`` tarball or an unpacked package directory
(e.g. ``node_modules/@digital-go-jp/design-tokens``).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

PACKAGE = "@digital-go-jp/design-tokens"
REPO_ROOT = Path(__file__).resolve().parent.parent
CSS_DIR = REPO_ROOT / "src" / "hitonagare" / "core" / "static" / "hitonagare" / "css"
OUT_CSS = CSS_DIR / "tokens.css"
OUT_LICENSE = CSS_DIR / "LICENSE-design-tokens.txt"


def _read_package(source: Path) -> tuple[dict[str, object], str, str, str | None]:
    """Return (package.json, dist/tokens.css, LICENSE text, tarball sha256)."""
    if source.is_dir():
        pkg = json.loads((source / "package.json").read_text(encoding="utf-8"))
        css = (source / "dist" / "tokens.css").read_text(encoding="utf-8")
        lic = (source / "LICENSE").read_text(encoding="utf-8")
        return pkg, css, lic, None
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:

        def member(name: str) -> str:
            f = tar.extractfile(f"package/{name}")
            if f is None:
                raise SystemExit(f"{source}: package/{name} missing")
            return f.read().decode("utf-8")

        pkg = json.loads(member("package.json"))
        return pkg, member("dist/tokens.css"), member("LICENSE"), digest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="npm pack tarball or unpacked package dir")
    args = parser.parse_args(argv)

    pkg, css, lic, digest = _read_package(args.source)
    if pkg.get("name") != PACKAGE:
        raise SystemExit(f"expected {PACKAGE}, got {pkg.get('name')!r}")
    version = str(pkg["version"])
    licence = str(pkg.get("license"))
    if licence != "MIT":
        raise SystemExit(f"unexpected licence {licence!r}; review before use")
    if ":root" not in css or "--color-primitive-blue-50" not in css:
        raise SystemExit("dist/tokens.css does not look like the token stylesheet")

    source_line = f" * Tarball SHA-256: {digest}\n" if digest else ""
    header = (
        "/*!\n"
        f" * Design tokens of デジタル庁デザインシステム (Digital Agency Design System)\n"
        f" * Package: {PACKAGE} {version} (dist/tokens.css, copied verbatim below)\n"
        f" * Licence: {licence}, Copyright (c) 2023 デジタル庁; see LICENSE-design-tokens.txt\n"
        f"{source_line}"
        " * The package ships colours, font weights/families/sizes, line heights,\n"
        " * border radii and elevations; it has no spacing tokens.\n"
        " * Regenerate (repository root):\n"
        f" *   cd /tmp && npm pack {PACKAGE}@{version}\n"
        " *   .venv/bin/python scripts/build_design_tokens.py "
        f"/tmp/digital-go-jp-design-tokens-{version}.tgz\n"
        " * Do not edit by hand.\n"
        " */\n"
    )
    CSS_DIR.mkdir(parents=True, exist_ok=True)
    OUT_CSS.write_text(header + css.rstrip("\n") + "\n", encoding="utf-8")
    OUT_LICENSE.write_text(f"{PACKAGE} {version}\n\n" + lic.rstrip("\n") + "\n", encoding="utf-8")
    n_vars = css.count("\n  --")
    print(
        f"wrote {OUT_CSS.relative_to(REPO_ROOT)} ({n_vars} custom properties, {PACKAGE} {version})"
    )
    print(f"wrote {OUT_LICENSE.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
