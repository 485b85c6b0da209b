"""Regression check over JMH JSON results (scripts/bench-regress.sh): each hot path's time divided by
its same-run baseline, compared with the committed baseline ratios. Exit 1 when one is worse than
its baseline by more than the band; --update writes this run's ratios as the baseline."""
import json
import os
import sys

# name -> (result file, benchmark method, params that must match, baseline method)
CHECKS = {
    "reconstruct-synthetic": ("page-service.json", "ReconstructBench.reconstruct", {"records": "SYNTHETIC"},
                              "ReconstructBench.copyPageBaseline"),
    "reconstruct-pg": ("page-service.json", "ReconstructBench.reconstruct", {"records": "PG"},
                       "ReconstructBench.copyPageBaseline"),
    "redo-chain": ("postgres-redo.json", "RedoChainBench.imagePlus8HeapInserts", {},
                   "RedoChainBench.copyImageBaseline"),
}


def score(results, method, params):
    found = [r["primaryMetric"]["score"] for r in results
             if r["benchmark"].endswith(method) and all(r.get("params", {}).get(k) == v for k, v in params.items())]
    if not found:
        sys.exit(f"bench-regress: no result for {method} {params}")
    return min(found)


def main():
    out, baseline_file = sys.argv[1], sys.argv[2]
    update = "--update" in sys.argv[3:]
    results = {}
    ratios = {}
    for name, (file, method, params, base) in CHECKS.items():
        if file not in results:
            with open(os.path.join(out, file)) as f:
                results[file] = json.load(f)
        t = score(results[file], method, params)
        b = score(results[file], base, {})
        ratios[name] = (t, b, t / b)
    baseline = {}
    if os.path.exists(baseline_file):
        with open(baseline_file) as f:
            baseline = json.load(f)
    band = float(os.environ.get("REGRESS_BAND", baseline.get("band", 0.35)))
    failed = []
    print(f"{'check':24} {'time us':>10} {'baseline us':>12} {'ratio':>8} {'committed':>10} {'change':>8}")
    for name, (t, b, r) in ratios.items():
        ref = baseline.get("ratios", {}).get(name)
        change = "" if ref is None else f"{r / ref - 1:+.0%}"
        print(f"{name:24} {t:10.3f} {b:12.3f} {r:8.1f} {'' if ref is None else f'{ref:10.1f}'} {change:>8}")
        if ref is not None and r > ref * (1 + band):
            failed.append(f"{name}: ratio {r:.1f} is more than {band:.0%} above the committed {ref:.1f}")
    if update:
        baseline = {"band": baseline.get("band", band),
                    "note": baseline.get("note", "ratios: time / same-run 8 KiB page copy; lower is better"),
                    "ratios": {k: round(v[2], 2) for k, v in ratios.items()}}
        with open(baseline_file, "w") as f:
            json.dump(baseline, f, indent=2)
            f.write("\n")
        print(f"wrote {baseline_file}")
        return 0
    if not baseline:
        print(f"no committed baseline ({baseline_file}): run ./se bench regress --update")
        return 1
    for line in failed:
        print("REGRESSION " + line)
    print(f"band {band:.0%}: " + ("FAILED" if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
