import re,sys,collections
txt=open(sys.argv[1]).read()
evs=txt.split("jdk.ExecutionSample {")[1:]
thr=collections.Counter(); top=collections.Counter(); incl=collections.Counter()
filt=sys.argv[2] if len(sys.argv)>2 else None
n=0
for e in evs:
    m=re.search(r'sampledThread = "([^"]*)"',e); t=m.group(1) if m else "?"
    t2=re.sub(r'\d+','N',t); thr[t2]+=1
    if filt and not re.search(filt,t): continue
    n+=1
    frames=re.findall(r'^\s+([\w\.$<>]+)\(',e,re.M)
    if frames: top[frames[0]]+=1
    seen=set()
    for f in frames:
        if f in seen: continue
        seen.add(f); incl[f]+=1
print("threads",thr.most_common(15)); print("n",n)
print("--top"); [print(c,f) for f,c in top.most_common(30)]
print("--incl"); [print(c,f) for f,c in incl.most_common(70)]
