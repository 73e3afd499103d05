# A method's compilations in a -XX:+LogCompilation file: id, level, queued/start/done stamps (s since JVM start),
# nmethod size, and when each was made not entrant. Usage: python3 compilations.py comp.log 'SessionCache decide'
import re,sys
log=open(sys.argv[1]).read()
pat=sys.argv[2]
ids={}
for m in re.finditer(r"<task_queued compile_id='(\d+)' method='([^']*)'[^>]*?stamp='([\d.]+)'", log):
    if pat in m.group(2): ids[m.group(1)]=(m.group(2).split(' (')[0], m.group(3))
lv={}
for m in re.finditer(r"<task_queued compile_id='(\d+)'[^>]*?level='(\d)'", log): lv[m.group(1)]=m.group(2)
for i,(meth,q) in sorted(ids.items(), key=lambda x: float(x[1][1])):
    t=re.search(r"<task compile_id='%s'[^>]*stamp='([\d.]+)'"%i, log)
    blk=re.search(r"<task compile_id='%s'.*?</task>"%i, log, re.S)
    done=re.search(r"<task_done[^>]*nmsize='(\d+)'[^>]*stamp='([\d.]+)'", blk.group(0)) if blk else None
    ne=re.findall(r"<make_not_entrant[^>]*compile_id='%s'[^>]*stamp='([\d.]+)'"%i, log)
    print(i, meth, 'L'+lv.get(i,'4'), 'queued', q, 'start', t.group(1) if t else '-', 'done', done.groups() if done else '-', 'not_entrant', ne)
