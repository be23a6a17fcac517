# Sums the scavenges and mark-compacts of a `node --trace-gc-nvp` log between the "# measured batches
# start/end" markers (bench/im-gateway-heap.ts, bench/sip-tx-heap.ts) and prints allocated and promoted bytes
# per MESSAGE. Usage: python3 bench/lib/trace-gc-nvp-sum.py LOG N
import sys,re
# sum promoted/allocated over scavenges between the markers
on=False; P=A=S=0; ns=0; pause=0.0; mc=0; mcp=0.0
for line in open(sys.argv[1]):
    if 'measured batches start' in line: on=True; continue
    if 'measured batches end' in line: on=False; continue
    if not on: continue
    m=re.search(r'pause=([\d.]+).* gc=(\w+)',line)
    if not m: continue
    kv=dict(re.findall(r'(\w[\w.]*)=([\d.]+)',line))
    if m.group(2)=='s':
        ns+=1; P+=int(kv['promoted']); A+=int(kv['allocated']); pause+=float(m.group(1))
    else:
        mc+=1; mcp+=float(m.group(1))
n=int(sys.argv[2])
print(f"scavenges {ns} pause {pause:.0f} ms; mark-compacts {mc} pause {mcp:.0f} ms; allocated {A/n:.0f} B/msg promoted {P/n:.0f} B/msg")
