#!/bin/bash
# The forms of check's output: the fallback position without debug
# information (objects, programs, stripped programs), --json and --sarif
# (parsed and held against the text output), several files, and exit 2
# with one error line for bad input and bad usage, inputs left unchanged.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/check/common.sh"

# Sources under the current directory: their names come out relative.
cp "$FIX"/*.c "$FIX"/*.h .

# --- no debug information: OBJECT: SECTION+0xOFF (FUNC+0xOFF) ----------------
compile gcc nodebug.o -O2 calls.c
annotate nodebug.o
"$SCPATCH" check nodebug.o > out.txt
expect_eq "no debug info: exit 1" 1 $?
want=$(python3 "$ROOT/tests/check/expected_sites.py" nodebug.o |
	awk '$5 == "unaligned" { print $1 "+0x" $2 }' | sort)
got=$(sed -nE "s/^nodebug\.o: ([^ ]+) \([a-z_]+\+0x[0-9a-f]+\): warning: unaligned static call site '[a-z]+'$/\1/p" out.txt | sort)
expect_eq "no debug info: object positions" "$want" "$got"
# FUNC+0xOFF agrees with the symbol table.
bad=0
while read -r sec off func foff; do
	fstart=$(nm nodebug.o | awk -v f="$func" '$3 == f { print $1 }')
	[[ $((0x$fstart + foff)) -eq $((off)) ]] || bad=1
done < <(sed -nE 's/^nodebug\.o: ([^+]+)\+(0x[0-9a-f]+) \(([a-z_]+)\+(0x[0-9a-f]+)\).*/\1 \2 \3 \4/p' out.txt)
expect_eq "no debug info: FUNC+0xOFF matches nm" 0 $bad

compile gcc main.o -O2 -g main.c
compile gcc calls.o -O2 -g calls.c
annotate calls.o
gcc -o prog main.o calls.o
strip -g -o prog-nodebug prog
"$SCPATCH" check prog-nodebug > out.txt
text_addr=$(readelf -SW prog | awk '$2 == ".text" { print $4 }')
want=$(python3 "$ROOT/tests/check/expected_sites.py" prog |
	awk '$5 == "unaligned" { print $2 }' |
	while read -r a; do printf '.text+0x%x\n' $((0x$a - 0x$text_addr)); done | sort)
got=$(sed -nE "s/^prog-nodebug: ([^ ]+) \([a-z_]+\+0x[0-9a-f]+\): warning: unaligned .*/\1/p" out.txt | sort)
expect_eq "program without debug info: section offsets" "$want" "$got"

# Debug information in a separate file named by .gnu_debuglink.
mkdir -p linked && objcopy --only-keep-debug prog linked/prog.debug &&
	objcopy --strip-debug --add-gnu-debuglink=linked/prog.debug prog linked/prog
expect_eq "separate debug file: the positions of the unstripped program" \
	"$("$SCPATCH" check prog | grep -v ' sites, ')" \
	"$("$SCPATCH" check linked/prog | grep -v ' sites, ')"

strip -o prog-stripped prog
"$SCPATCH" check prog-stripped > out.txt 2> err.txt
expect_eq "stripped program: exit 1 (unaligned sites)" 1 $?
expect_eq "stripped program: counts as with symbols" \
	"$(tail -n 1 out.txt | sed 's/^[^:]*://')" \
	"$("$SCPATCH" check prog | tail -n 1 | sed 's/^[^:]*://')"
expect "stripped program: says what it could not verify" grep -q "no symbol table" err.txt

# --- source positions are relative below the current directory ----------------
"$SCPATCH" check calls.o > out.txt
expect "debug info: FILE:LINE:COL relative to the current directory" \
	grep -qE "^calls\.c:[0-9]+:[0-9]+: warning: unaligned static call site '[a-z]+' in [a-z_]+\+0x[0-9a-f]+$" out.txt

# The assembler's line table has no columns: FILE:LINE: without COL.
gcc -g -c -Wa,--defsym,SKEW=1 -o skewed.o "$FIX/aligned.s"
annotate skewed.o
"$SCPATCH" check skewed.o > out.txt
expect_eq "no column: FILE:LINE: for each site, lines are addr2line's" \
	"$(expected_unaligned skewed.o)" \
	"$(sed -nE "s|^(.*/)?(aligned\.s:[0-9]+): warning: unaligned static call site 'op' in aligned_calls\+0x[0-9a-f]+$|\2|p" out.txt | sort)"
expect_eq "no column: both sites" 2 "$(expected_unaligned skewed.o | wc -l)"

# --- JSON --------------------------------------------------------------------
compile gcc tramp-bad.o -O2 -g -DSC_TRAMP_SKEW=1 main.c
files="calls.o prog nodebug.o tramp-bad.o"
"$SCPATCH" check $files > text.txt
text_rc=$?
"$SCPATCH" check --json $files > out.json
expect_eq "--json: same exit status as text" $text_rc $?
expect "--json: parses" python3 -m json.tool out.json > /dev/null
cat > json_vs_text.py <<'PY'
import json, re, sys
doc = json.load(open('out.json'))
text = open('text.txt').read().splitlines()
summaries = [l for l in text if re.search(r': \d+ sites, ', l)]
findings = [l for l in text if ': warning: ' in l or ': error: ' in l]
problems = []
if len(doc['files']) != len(summaries):
    problems.append('file count')
for f, line in zip(doc['files'], summaries):
    want = '%s: %d sites, %d aligned, %d unaligned, %d invalid' % (
        f['file'], f['sites'], f['aligned'], f['unaligned'], f['invalid'])
    if f['other']:
        want += ', %d other problems' % f['other']
    if want != line:
        problems.append('summary %r != %r' % (want, line))
jf = [x for f in doc['files'] for x in f['findings']]
if len(jf) != len(findings):
    problems.append('findings %d != %d' % (len(jf), len(findings)))
for x, line in zip(jf, findings):
    if x['level'] + ': ' + x['message'] not in line:
        problems.append('message %r not in %r' % (x['message'], line))
    if x['source'] and not line.startswith('%s:%d:' % (x['source']['file'], x['source']['line'])):
        problems.append('source %r vs %r' % (x['source'], line))
t = doc['total']
if t['sites'] != sum(f['sites'] for f in doc['files']):
    problems.append('total')
print('\n'.join(problems))
sys.exit(1 if problems else 0)
PY
expect "--json: files, counts and findings are the text output's" python3 json_vs_text.py

# --- SARIF 2.1.0 -------------------------------------------------------------
"$SCPATCH" check --sarif $files > out.sarif
expect_eq "--sarif: same exit status as text" $text_rc $?
cat > sarif_fields.py <<'PY'
import json, sys
doc = json.load(open('out.sarif'))
problems = []
def need(cond, what):
    if not cond:
        problems.append(what)
need(doc.get('version') == '2.1.0', 'version')
need('sarif-2.1.0' in doc.get('$schema', ''), '$schema')
run = doc['runs'][0]
driver = run['tool']['driver']
need(driver.get('name') == 'scpatch', 'driver.name')
need(driver.get('version'), 'driver.version')
ids = [r['id'] for r in driver['rules']]
need(len(ids) == len(set(ids)) and ids, 'rules')
results = run['results']
need(len(results) == int(sys.argv[1]), 'result count %d' % len(results))
with_region = 0
for r in results:
    need(r['ruleId'] in ids, 'ruleId')
    need(ids[r['ruleIndex']] == r['ruleId'], 'ruleIndex')
    need(r['level'] in ('warning', 'error'), 'level')
    need(r['message']['text'], 'message.text')
    loc = r['locations'][0]['physicalLocation']
    uri = loc['artifactLocation']['uri']
    need(uri and not uri.startswith('/'), 'uri %s' % uri)
    if 'region' in loc:
        with_region += 1
        need(loc['region']['startLine'] >= 1, 'startLine')
        need(loc['region'].get('startColumn', 1) >= 1, 'startColumn')
        need(uri == 'calls.c', 'relative source uri %s' % uri)
need(with_region == int(sys.argv[2]), 'results with a region %d' % with_region)
print('\n'.join(problems))
sys.exit(1 if problems else 0)
PY
nfind=$(grep -cE ': (warning|error): ' text.txt)
nsrc=$(grep -cE '^calls\.c:[0-9]+:' text.txt)
expect "--sarif: required fields, one result per finding, regions for source lines" \
	python3 sarif_fields.py "$nfind" "$nsrc"

# Names that need escaping: JSON strings and SARIF URIs.
odd='odd "name" \ 100%.o'
cp nodebug.o "$odd"
"$SCPATCH" check --json "$odd" > odd.json
expect "--json: a file name with quotes, backslash, space and %" python3 -c '
import json, sys
sys.exit(json.load(open("odd.json"))["files"][0]["file"] != sys.argv[1])' "$odd"
"$SCPATCH" check --sarif "$odd" > odd.sarif
expect "--sarif: the object URI is percent-encoded" python3 -c '
import json, sys, urllib.parse
r = json.load(open("odd.sarif"))["runs"][0]["results"]
uris = {x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in r}
sys.exit(not r or uris != {urllib.parse.quote(sys.argv[1])})' "$odd"
latin1=$(printf 'caf\xe9.o')
cp nodebug.o "$latin1"
"$SCPATCH" check --json "$latin1" > latin1.json
expect "--json: a file name that is not UTF-8 still gives valid JSON" \
	python3 -c 'import json; json.load(open("latin1.json", encoding="utf-8"))'

# --- several files: one summary each, the worst exit status --------------------
gcc -g -c -o aligned.o "$FIX/aligned.s"
annotate aligned.o
"$SCPATCH" check aligned.o main.o > out.txt
expect_eq "clean files: exit 0" 0 $?
expect_eq "clean files: one summary each" 2 "$(grep -c ' sites, ' out.txt)"
expect_exit "clean and unaligned: exit 1" 1 "$SCPATCH" check aligned.o calls.o

# --- bad input and bad usage: exit 2, one error line, inputs unchanged ----------
echo "not an object" > text.o
head -c 200 calls.o > truncated.o
: > empty.o
sum_before=$(md5sum calls.o text.o truncated.o)
for bad in missing.o text.o truncated.o empty.o; do
	"$SCPATCH" check $bad > out.txt 2> err.txt
	expect_eq "bad input $bad: exit 2" 2 $?
	expect "bad input $bad: one 'scpatch: $bad: ...' line" \
		test "$(grep -c "^scpatch: $bad: " err.txt)" -eq 1 -a "$(wc -l < err.txt)" -eq 1
done
expect_exit "bad input among problems: exit 2" 2 "$SCPATCH" check calls.o text.o
"$SCPATCH" check --json calls.o text.o > out.json 2>/dev/null
expect "bad input, --json: still valid JSON, file marked unreadable" \
	python3 -c 'import json,sys; d=json.load(open("out.json")); sys.exit(d["files"][1]["readable"] is not False)'
expect_exit "no files: exit 2" 2 "$SCPATCH" check
expect_exit "unknown option: exit 2" 2 "$SCPATCH" check --frobnicate calls.o
expect_exit "--json with --sarif: exit 2" 2 "$SCPATCH" check --json --sarif calls.o
expect_eq "inputs unchanged" "$sum_before" "$(md5sum calls.o text.o truncated.o)"
