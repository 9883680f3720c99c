#!/usr/bin/env python3
# Picks at most CAP inputs of a libFuzzer merge: the seeds under fuzz/corpus/ plus, greedily, the
# inputs that add the most new edges (then features). Usage, see fuzz/README.md:
#   fuzz_series -merge=1 -merge_control_file=CTL /tmp/empty fuzz/corpus/series /tmp/ra-fuzz/series
#   python3 fuzz/select_corpus.py CTL OUTDIR 50
import sys, os, shutil
ctl, outdir, cap = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(ctl).read().split('\n')
n = int(lines[0]); files = lines[2:2+n]
cov = {}; ft = {}
for l in lines[2+n:]:
    p = l.split()
    if not p: continue
    if p[0] == 'COV': cov[int(p[1])] = set(p[2:])
    if p[0] == 'FT': ft[int(p[1])] = set(p[2:])
# hand-written seeds and crash reproducers in fuzz/corpus (not named fuzz-*) are always kept
def seed(f): return '/fuzz/corpus/' in f and not os.path.basename(f).startswith('fuzz-')
keep = [i for i, f in enumerate(files) if seed(f)]
covered = set().union(*[cov.get(i, set()) for i in keep]) if keep else set()
fcovered = set().union(*[ft.get(i, set()) for i in keep]) if keep else set()
alle = set().union(*cov.values())
while len(keep) < cap:
    best, gain = None, (0, 0)
    for i in cov:
        if i in keep: continue
        g = (len(cov[i] - covered), len(ft.get(i, set()) - fcovered))
        if g > gain or (g == gain and best is not None and os.path.getsize(files[i]) < os.path.getsize(files[best])):
            best, gain = i, g
    if best is None or gain == (0, 0): break
    keep.append(best); covered |= cov[best]; fcovered |= ft.get(best, set())
print(f"edges {len(covered)}/{len(alle)} with {len(keep)} files")
os.makedirs(outdir, exist_ok=True)
for i in keep:
    name = os.path.basename(files[i])
    if not seed(files[i]) and not name.startswith('fuzz-'): name = 'fuzz-' + name[:16]
    shutil.copy(files[i], os.path.join(outdir, name))
