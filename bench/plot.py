"""Plot the build benchmark (bench/results-build.json) as docs/build-scaling.png.

    python -m bench.plot

Run in the tools environment (.venv-tools), which has matplotlib; the server's
environment does not.
"""

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (the backend is chosen first)

ROOT = Path(__file__).resolve().parent.parent


def plot(results, path):
    sizes = sorted(int(n) for n in results)
    figure, axis = plt.subplots(figsize=(7, 4.5), dpi=100)
    labels = {"peer_sqlite3_import": "sqlite3 .import", "peer_sqlite_utils": "sqlite-utils insert --csv"}
    for phase in ["build", "parse", "validate", "insert", "floor_insert", "peer_sqlite3_import", "peer_sqlite_utils"]:
        measured = [n for n in sizes if phase in results[str(n)]["timings"]]  # peers are missing from older runs
        if measured:
            label = labels.get(phase, phase.replace("_", " "))
            axis.plot(measured, [results[str(n)]["timings"][phase] for n in measured], marker="o", label=label)
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("events")
    axis.set_ylabel("seconds")
    axis.set_title("binational build cost by size (2 cores)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(path)


def main():
    results = json.loads((ROOT / "bench" / "results-build.json").read_text())
    plot(results, ROOT / "docs" / "build-scaling.png")
    print("wrote docs/build-scaling.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
