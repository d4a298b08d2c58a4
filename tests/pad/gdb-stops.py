# STOPS_SOURCE=FILE.c STOPS_LAST_LINE=N gdb -batch -x gdb-stops.py PROG: a temporary breakpoint on
# every line of FILE.c; runs PROG and prints, for each stop, the
# function, the line and the instruction (addresses left out).  NOPs at a
# stop are stepped over first: padding may put its NOP where a line starts.
import gdb, re, sys

import os
src, last = os.environ["STOPS_SOURCE"], os.environ["STOPS_LAST_LINE"]
gdb.execute("set pagination off")
gdb.execute("set confirm off")
for line in range(1, int(last) + 1):
    try:
        gdb.execute("tbreak %s:%d" % (src, line), to_string=True)
    except gdb.error:
        pass

def insn():
    text = gdb.execute("x/i $pc", to_string=True)
    text = text.split(":", 1)[1] if ":" in text else text
    return re.sub(r"0x[0-9a-f]+|<[^>]*>", "", text).split()

gdb.execute("run > /dev/null", to_string=True)
while True:
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        break
    words = insn()
    while words and (words[0].startswith("nop") or
                     words == ["xchg", "%ax,%ax"]):  # 66 90
        gdb.execute("stepi", to_string=True)
        words = insn()
    sal = frame.find_sal()
    print("stop %s:%d: %s" % (frame.name(), sal.line, " ".join(words)))
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error:
        break
