# Per-stage latency from the traces written by bench/latency-trace.patch (temporary instrumentation,
# not part of the gateway): rows "<SIPp epoch stamp> <stage> <wall ms>"; stages udp (datagram read),
# parsed, ingress (about to track), send (link.send), write (socket write issued), recv (bench client).
# Steps are split where stamps are > 1 s apart. Usage: python3 bench/lib/latency-trace-analyze.py GW RECV
import sys, collections, statistics as st
gw=collections.defaultdict(dict)
for f in sys.argv[1:]:
  for line in open(f):
    s,stage,t=line.split(); d=gw[s]
    if stage not in d: d[stage]=float(t)
stamps=sorted(gw, key=float)
segs=[];cur=[]
for s in stamps:
  if cur and float(s)-float(cur[-1])>1.0: segs.append(cur); cur=[]
  cur.append(s)
segs.append(cur)
stages=["udp","parsed","ingress","send","write","recv"]
def pct(v,p): v=sorted(v); return v[min(len(v)-1,int(p*len(v)))]
for seg in segs:
  if len(seg)<50: continue
  present=[x for x in stages if sum(1 for s in seg if x in gw[s])>len(seg)*0.9]
  dur=float(seg[-1])-float(seg[0])
  print(f"segment n={len(seg)} rate~{len(seg)/max(dur,1e-9):.0f}/s stages={present}")
  prev="sipp"
  for x in present:
    cum=[gw[s][x]-float(s)*1000 for s in seg if x in gw[s]]
    if prev=="sipp": step=cum
    else: step=[gw[s][x]-gw[s][prev] for s in seg if x in gw[s] and prev in gw[s]]
    print(f"  {x:8s} from SIPp p50 {pct(cum,.5):8.3f} p90 {pct(cum,.9):8.3f} p99 {pct(cum,.99):8.3f} | from {prev}: p50 {pct(step,.5):8.3f} p90 {pct(step,.9):8.3f} p99 {pct(step,.99):8.3f}")
    prev=x
