"""MkDocs hook: serve MathJax from the site itself, so formulas render with no network.

The math on this site is written for ``pymdownx.arithmatex`` (``generic: true``)
and typeset in the browser by MathJax 3 with SVG output (``tex-svg-full.js``
draws glyphs as paths: no font files, and every TeX extension is built in, so
nothing is loaded later). MathJax is third-party code, so it is not in the
repository: this hook fetches the pinned release from the npm registry the
first time the site is built, caches it outside the repository, and adds it
to every build as ``assets/mathjax/tex-svg-full.js`` (with its licence). After
the first build, building and viewing the site need no network at all.

Cache: ``$BACKPROP_SPEC_MATHJAX_DIR`` if set (the folder holding
``tex-svg-full.js``), else ``${XDG_CACHE_HOME:-~/.cache}/backprop-spec/mathjax-<version>/``.
To build on a machine without npm, copy ``es5/tex-svg-full.js`` and ``LICENSE``
from the ``mathjax@<version>`` npm package into that folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

#: The one place the MathJax version is pinned.
MATHJAX_VERSION = "3.2.2"
#: Where the script is served on the site; ``mkdocs.yml``'s ``extra_javascript`` lists it.
SITE_PATH = "assets/mathjax/tex-svg-full.js"
#: Files taken from the npm package (path in the tarball -> path on the site).
PACKAGE_FILES = {
    "package/es5/tex-svg-full.js": SITE_PATH,
    "package/LICENSE": "assets/mathjax/LICENSE",
}
ENV_DIR = "BACKPROP_SPEC_MATHJAX_DIR"


def cache_dir() -> Path:
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR]).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "backprop-spec" / f"mathjax-{MATHJAX_VERSION}"


def _cached(directory: Path) -> bool:
    return all((directory / Path(member).name).is_file() for member in PACKAGE_FILES)


def _fetch(directory: Path) -> None:
    """``npm pack mathjax@VERSION`` (npm checks the registry's integrity hash) and unpack the files we serve."""
    npm = shutil.which("npm")
    if npm is None:
        raise PluginError(
            f"MathJax {MATHJAX_VERSION} is not cached in {directory} and npm is not installed, "
            "so it cannot be fetched. Install npm (e.g. `apt-get install -y npm`) and build again, "
            f"or copy es5/tex-svg-full.js and LICENSE from the npm package mathjax@{MATHJAX_VERSION} "
            f"into {directory} (or into the folder named by ${ENV_DIR})."
        )
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mathjax-") as tmp:
        proc = subprocess.run(
            [npm, "pack", f"mathjax@{MATHJAX_VERSION}", "--silent"],
            cwd=tmp, capture_output=True, text=True, timeout=600,
        )
        tarballs = list(Path(tmp).glob("*.tgz"))
        if proc.returncode != 0 or len(tarballs) != 1:
            raise PluginError(
                f"`npm pack mathjax@{MATHJAX_VERSION}` failed (exit {proc.returncode}), "
                f"so MathJax cannot be cached in {directory}:\n{proc.stderr.strip()}"
            )
        with tarfile.open(tarballs[0], "r:gz") as tar:
            for member in PACKAGE_FILES:
                source = tar.extractfile(member)
                if source is None:
                    raise PluginError(f"mathjax@{MATHJAX_VERSION} from npm has no {member}")
                # Write next to the target, then rename: a build interrupted (or run
                # concurrently) never leaves a half-written file in the cache.
                target = directory / Path(member).name
                with tempfile.NamedTemporaryFile(dir=directory, delete=False) as out:
                    shutil.copyfileobj(source, out)
                os.chmod(out.name, 0o644)
                os.replace(out.name, target)


def mathjax_files() -> dict[str, Path]:
    """Site path -> cached file, fetching MathJax first if it is not cached yet."""
    directory = cache_dir()
    if not _cached(directory):
        _fetch(directory)
    return {site: directory / Path(member).name for member, site in PACKAGE_FILES.items()}


_files: dict[str, Path] = {}


def on_config(config):
    if SITE_PATH not in [str(script) for script in config.extra_javascript]:
        raise PluginError(f"docs/hooks/mathjax.py serves MathJax at {SITE_PATH}: list it in mkdocs.yml's extra_javascript")
    # Fetch (if needed) before the build starts, so a missing npm fails fast.
    _files.update(mathjax_files())
    return config


def on_files(files, config):
    for site_path, path in _files.items():
        files.append(File.generated(config, site_path, abs_src_path=str(path)))
    return files
