# Difference of two sampling heap profiles of bench/im-gateway-heap.ts (--sampling live / --sampling major):
# bytes per MESSAGE per allocation stack (DEPTH frames) that survived the scavenges and were freed by a
# mark-compact. Usage: python3 bench/lib/heap-sampling-diff.py LIVE.json MAJOR.json DEPTH N [TOP]
import json,sys,collections
def load(p,depth):
    prof=json.load(open(p))
    agg=collections.Counter()
    def walk(n,stack):
        cf=n['callFrame']
        name=f"{cf['functionName'] or '(anon)'} {cf['url'].split('/')[-1]}:{cf['lineNumber']+1}"
        st=stack+[name]
        if n['selfSize']: agg[' < '.join(reversed(st[-depth:]))]+=n['selfSize']
        for c in n.get('children',[]): walk(c,st)
    walk(prof['head'],[])
    return agg
d=int(sys.argv[3]); N=int(sys.argv[4])
a=load(sys.argv[1],d); b=load(sys.argv[2],d)
diff=collections.Counter({k:b[k]-a.get(k,0) for k in b})
tot=sum(b.values())-sum(a.values())
print(f"major-live total {tot/N:.0f} B/msg (live {sum(a.values())/N:.0f}, major {sum(b.values())/N:.0f})")
for k,v in diff.most_common(int(sys.argv[5]) if len(sys.argv)>5 else 30): print(f"{v/N:8.0f}  {k}")
