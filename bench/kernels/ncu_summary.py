#!/usr/bin/env python3
"""bench/kernels/ncu_summary.py — sums an `ncu --print-summary per-kernel` log (gpu__time_duration)
into a table: share of GPU time, total, invocations and mean per kernel name (launch shapes merged)."""
import re
import sys
from collections import defaultdict

UNITS = {'ns': 1e-3, 'nsecond': 1e-3, 'us': 1.0, 'usecond': 1.0, 'ms': 1e3, 'msecond': 1e3}


def short(name: str) -> str:
    name = re.sub(r'^void ', '', name)
    name = re.sub(r'\(.*', '', name) if not name.startswith('nvjet') else name
    return re.sub(r'rwkvkit::|refmodel::|<unnamed>::|kernels::|detail::', '', name)[:90]


def main() -> None:
    totals, calls = defaultdict(float), defaultdict(int)
    name, inv = None, 0
    for line in open(sys.argv[1], errors='replace'):
        m = re.match(r'^  (\S.*?) \(\d+, \d+, \d+\)x\(\d+, \d+, \d+\), (?:Context \d+, )?Device \d+, CC [\d.]+, Invocations (\d+)', line)
        if m:
            name, inv = short(m.group(1)), int(m.group(2))
            continue
        m = re.match(r'\s+gpu__time_duration.sum\s+(\S+)\s+([\d.,]+)\s+([\d.,]+)\s+([\d.,]+)', line)
        if m and name:
            avg = float(m.group(4).replace(',', '')) * UNITS.get(m.group(1), 1.0)
            totals[name] += avg * inv
            calls[name] += inv
            name = None
    tot = sum(totals.values())
    print(f'total GPU time of the profiled launches: {tot / 1e3:.2f} ms')
    for n, t in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f'{100 * t / tot:6.2f}%  {t / 1e3:9.3f} ms  {calls[n]:5d} x {t / calls[n]:9.2f} us  {n}')


if __name__ == '__main__':
    main()
