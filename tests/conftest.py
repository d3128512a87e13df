"""Shared fixtures: the offline data catalogue (skip when absent) and the project's own samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpfnlp.paths import samples_dir, shared_data_dir


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data`, or skip the test cleanly on machines that do not have it."""
    path = shared_data_dir()
    if path is None:
        pytest.skip("../shared/data is not available on this machine")
    return path


@pytest.fixture(scope="session")
def samples() -> Path:
    """`data/samples/`: news-style articles and headlines written for this project."""
    return samples_dir()
