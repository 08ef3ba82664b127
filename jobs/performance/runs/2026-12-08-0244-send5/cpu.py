import re,sys,subprocess
J='/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr'
out=subprocess.run([J,'print','--events','jdk.CPULoad',sys.argv[1]],capture_output=True,text=True).stdout
log=open(sys.argv[2]).read()
# send window: first send-N log line to last progress line
ts=re.findall(r'(\d\d:\d\d:\d\d\.\d+) INFO  \[main\] StepProgressLog - send: read (\d+)',log)
start=re.search(r'(\d\d:\d\d:\d\d\.\d+) \w+ +\[send-\d+\]',log).group(1)
def sec(t): h,m,s=t.split(':'); return int(h)*3600+int(m)*60+float(s)
evs=out.split('jdk.CPULoad')[1:]
rows=[]
for e in evs:
    t=re.search(r'startTime = (\d\d:\d\d:\d\d\.\d+)',e).group(1)
    u=float(re.search(r'jvmUser = ([\d\.]+)%',e).group(1)); s=float(re.search(r'jvmSystem = ([\d\.]+)%',e).group(1))
    m=float(re.search(r'machineTotal = ([\d\.]+)%',e).group(1))
    rows.append((sec(t),u,s,m))
# steady window: between first and last progress lines
a=sec(ts[0][0]); b=sec(ts[-1][0]); n=int(ts[-1][1])-int(ts[0][1])
sel=[r for r in rows if a<r[0]<=b]
cpu=sum((r[1]+r[2])/100*2*1.0 for r in sel)  # 2 cpus, ~1s per sample
mach=sum(r[3]/100*2 for r in sel)
print(f"window {ts[0][0]}..{ts[-1][0]} ({b-a:.1f}s) emails {n}: rate {n/(b-a):.0f}/s; JVM cpu {cpu:.1f}s = {cpu/n*1000:.3f} ms/email; machine {mach/(b-a)*50:.0f}% busy")
