"""The 2-D cluster map: a plotly scatter (HTML, hover shows the headline) and a matplotlib PNG (kaleido needs
Chrome, which newsroom machines and this one do not have offline)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def map_coordinates(embeddings: np.ndarray, method: str = "pca") -> np.ndarray:
    """2-D coordinates for the map: `pca` (instant) or `umap` (better separated, slower)."""
    from kpfnlp.cluster.stages import PCAReducer, UMAPReducer

    reducer = UMAPReducer(n_components=2, min_dist=0.1) if method == "umap" else PCAReducer(2)
    xy = reducer.fit_transform(embeddings)
    return np.pad(xy, ((0, 0), (0, max(0, 2 - xy.shape[1]))))


def _label(c: int, keywords: dict[int, list[str]]) -> str:
    return "noise" if c == -1 else f"{c}: {' '.join(keywords.get(c, [])[:3])}"


def write_html_map(
    path: str | Path, xy: np.ndarray, texts: Sequence[str], labels: np.ndarray, keywords: dict[int, list[str]]
) -> Path:
    """Interactive scatter coloured by cluster; plotly.js is embedded so the file works offline."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for c in sorted(set(labels.tolist())):
        idx = np.flatnonzero(labels == c)
        fig.add_trace(
            go.Scattergl(
                x=xy[idx, 0], y=xy[idx, 1], mode="markers", name=_label(c, keywords),
                text=[texts[i] for i in idx], hoverinfo="text+name",
                marker={"size": 4 if c == -1 else 6, "color": "lightgrey" if c == -1 else None},
            )
        )  # fmt: skip
    fig.update_layout(title="Headline clusters", template="plotly_white", legend={"itemsizing": "constant"})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(str(path), include_plotlyjs=True)
    return path


def write_png_map(path: str | Path, xy: np.ndarray, labels: np.ndarray) -> Path:
    """Static scatter coloured by cluster (noise grey)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 6), dpi=120)
    noise = labels == -1
    ax.scatter(xy[noise, 0], xy[noise, 1], s=3, c="lightgrey", label="noise")
    ax.scatter(xy[~noise, 0], xy[~noise, 1], s=5, c=labels[~noise], cmap="tab20")
    ax.set_title(f"{len(set(labels[~noise].tolist()))} clusters, {noise.mean():.0%} noise")
    ax.set_xticks([])
    ax.set_yticks([])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path
