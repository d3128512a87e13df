"""Where kpfnlp finds things that live outside the package: the offline data catalogue, the repo root."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent


def shared_data_dir() -> Path | None:
    """Return the offline data catalogue (`$KPFNLP_SHARED_DATA`, else `../shared/data` next to the repo), or None."""
    env = os.environ.get("KPFNLP_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates += [REPO_ROOT.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    for cand in candidates:
        if (cand / "README.md").is_file():
            return cand
    return None


def samples_dir() -> Path:
    """The small news-style samples written for this project (demo and tests)."""
    return REPO_ROOT / "data" / "samples"


def data_path_label(path: str | Path) -> str:
    """A path as records write it: `../shared/data/...` inside the data catalogue (machine-independent), else as
    given."""
    data, resolved = shared_data_dir(), Path(path).resolve()
    if data is not None and resolved.is_relative_to(data.resolve()):
        return "../shared/data/" + resolved.relative_to(data.resolve()).as_posix()
    return str(path)
