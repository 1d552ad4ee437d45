"""The cost curve: every figure of every system against corpus size, as one table and one plot."""

from __future__ import annotations

from pathlib import Path

from .report import fmt, table

# (figure key as run_size records it, heading in the table and on the plot, digits)
FIGURES = [
    ("load s", "load s (separate step)", 1),
    ("ready s", "ready s", 2),
    ("peak RSS MiB", "peak RSS MiB (all processes)", 0),
    ("disk MiB", "disk MiB", 0),
    ("mix C=1", "mix req/s C=1 (cold)", 1),
    ("mix C=8", "mix req/s C=8 (cold)", 1),
    ("deref C=1", "dereference req/s C=1", 1),
    ("deref C=8", "dereference req/s C=8", 1),
    ("validation ms", "validation ms (new claim, p50)", 0),
]


def curve_table(results: dict[str, dict[str, dict]]) -> str:
    """One row per size and system; ``results``: size label -> system name -> figures."""
    rows = []
    for label, systems in results.items():
        for name, figures in systems.items():
            rows.append([f"~{label}", f"{figures.get('triples', 0):,}", name]
                        + [fmt(figures.get(key), digits) for key, _, digits in FIGURES])
    return table(["size", "triples", "system"] + [heading for _, heading, _ in FIGURES], rows)


def plot_curve(results: dict[str, dict[str, dict]], path: Path) -> str:
    """Each figure against the number of triples, log-log, one line per system; returns "" or why not."""
    try:
        import matplotlib
    except ImportError:
        return "matplotlib is not installed (the bench extra has it): no plot"
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted({name for systems in results.values() for name in systems})
    figure, axes = plt.subplots(3, 3, figsize=(13, 11))
    for axis, (key, heading, _) in zip(axes.flat, FIGURES):
        for name in names:
            points = sorted((systems[name]["triples"], systems[name][key]) for systems in results.values()
                            if name in systems and isinstance(systems[name].get(key), (int, float))
                            and systems[name][key] == systems[name][key] and systems[name][key] > 0)
            if points:
                axis.plot([x for x, _ in points], [y for _, y in points], marker="o", label=name)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_title(heading, fontsize=10)
        axis.set_xlabel("triples", fontsize=8)
        axis.grid(True, which="major", alpha=0.3)
        if axis.lines:
            axis.legend(fontsize=7)
    figure.suptitle("mxus-ld cost curve (tests/perf/bench.py)")
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None})
    plt.close(figure)
    return ""
