#!/bin/bash
# The benchmark harness behind `make bench`.
#
#     BUILD=DIR bench/run.sh
#
# Runs every bench/<area>/run.sh, each of which prints one CSV line per
# figure on stdout,
#     group,metric,value,unit,reference,reference_value
# and its progress on stderr.  The harness prints one table with the ratio
# value/reference_value beside each figure, and writes $BUILD/bench/
# results.csv (machine in comment lines) and results.png (gnuplot).
#
# BENCH_FILTER=WORD   only the areas whose name contains WORD
# BENCH_QUICK=1       fewer repetitions and smaller inputs (smoke test)
#
# An area that fails gets a FAILED line in the table; the others still run,
# and the harness exits 1 at the end.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(mkdir -p "${BUILD:-$ROOT/build}" && cd "${BUILD:-$ROOT/build}" && pwd)
SCPATCH=$BUILD/scpatch
BENCH_QUICK=${BENCH_QUICK:-}
BENCH_FILTER=${BENCH_FILTER:-}
export ROOT BUILD SCPATCH BENCH_QUICK

out=$BUILD/bench
mkdir -p "$out"
rows=$out/rows.tsv	# group metric value unit reference ref_value ratio
: > "$rows"
rm -f "$out/results.png"	# never leave the chart of an earlier run

first_line() { "$@" 2>/dev/null | head -n 1 || true; }

machine_header() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	echo "cpu: ${cpu:-unknown} ($(nproc) cpus)"
	echo "kernel: $(uname -sr)"
	echo "gcc: $(first_line gcc --version)"
	echo "clang: $(first_line clang --version)"
	echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	[[ -n "$BENCH_QUICK" ]] && echo "mode: BENCH_QUICK (smoke test, not for publication)"
	return 0
}

# ratio VALUE REFERENCE: two decimals, or "-" when either is not a number.
ratio() {
	awk -v v="$1" -v r="$2" 'BEGIN {
		num = "^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$"
		if (v !~ num || r !~ num || r + 0 == 0) { print "-"; exit }
		printf "%.2f\n", v / r
	}'
}

# collect AREA CSV: append the well-formed lines to the rows; returns 1 when
# a line is malformed (it is reported, not dropped silently).
collect() {
	local area=$1 csv=$2 bad=0 line ratio_text
	local group metric value unit reference ref_value extra
	while IFS= read -r line; do
		[[ -z "$line" ]] && continue
		IFS=, read -r group metric value unit reference ref_value extra \
			<<< "$line"
		if [[ -n "$extra" || -z "$ref_value" ]]; then
			echo "bench: $area: malformed line: $line" >&2
			bad=1
			continue
		fi
		ratio_text=$(ratio "$value" "$ref_value")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$group" "$metric" \
			"$value" "$unit" "$reference" "$ref_value" \
			"$ratio_text" >> "$rows"
	done < "$csv"
	return $bad
}

run_area() {
	local script=$1 area rc
	area=$(basename "$(dirname "$script")")
	echo "bench: == $area ==" >&2
	"$script" > "$out/$area.csv" 2> >(tee "$out/$area.log" >&2)
	rc=$?
	wait	# for tee
	if ! collect "$area" "$out/$area.csv" && [[ $rc -eq 0 ]]; then
		rc=1
	fi
	if [[ $rc -ne 0 ]]; then
		printf '%s\tFAILED (exit %s; log %s)\t-\t\t-\t-\t-\n' \
			"$area" "$rc" "$out/$area.log" >> "$rows"
		return 1
	fi
}

print_table() {
	awk -F'\t' '
	function cells(r,    line, c, text, fmt) {
		line = ""
		for (c = 1; c <= 6; c++) {
			text = r ? cell[r, col[c]] : title[c]
			fmt = "%" (c <= 2 || c == 4 ? "-" : "") width[c] "s  "
			line = line sprintf(fmt, text)
		}
		sub(/ +$/, "", line)
		return line
	}
	{ n++; for (i = 1; i <= 7; i++) cell[n, i] = $i
	  cell[n, 3] = $4 == "" ? $3 : $3 " " $4 }
	END {
		split("group metric value reference ref_value ratio", title, " ")
		split("1 2 3 5 6 7", col, " ")
		for (c = 1; c <= 6; c++) width[c] = length(title[c])
		for (r = 1; r <= n; r++)
			for (c = 1; c <= 6; c++)
				if (length(cell[r, col[c]]) > width[c])
					width[c] = length(cell[r, col[c]])
		for (r = 0; r <= n; r++) print cells(r)
	}' "$rows"
}

write_csv() {
	{
		machine_header | sed 's/^/# /'
		echo "group,metric,value,unit,reference,reference_value,ratio"
		awk -F'\t' -v OFS=, '{ print $1, $2, $3, $4, $5, $6, $7 }' "$rows"
	} > "$out/results.csv"
}

# Ratios as horizontal bars from 1.0 (the reference) on a log scale, one
# colour per group; figures without a reference are not drawn.
draw_chart() {
	local data=$out/chart.dat count
	awk -F'\t' '$7 != "-" && $7 + 0 > 0 {
		if (!($1 in gid)) gid[$1] = ++groups
		label = $1 ": " $2 ($2 ~ / vs / ? "" : " vs " $5)
		gsub(/"/, "", label)
		printf "%d\t%s\t%d\t\"%s\"\n", n++, $7, gid[$1], label
	}' "$rows" > "$data"
	count=$(wc -l < "$data")
	if [[ $count -eq 0 ]]; then
		echo "bench: no ratio to draw, no chart" >&2
		return 0
	fi
	command -v gnuplot >/dev/null || {
		echo "bench: gnuplot missing (gnuplot-nox), no chart" >&2
		return 0
	}
	local terminal=pngcairo subtitle
	subtitle=$(machine_header | sed -n 's/^cpu: //p; s/^date: //p' |
		   paste -sd' ' | tr -d '"')
	gnuplot -e 'set terminal pngcairo' 2>/dev/null || terminal=png
	gnuplot <<-EOF 2>&1 | sed 's/^/bench: gnuplot: /' >&2
		set terminal $terminal size 1100,$((140 + 26 * count)) font ",10"
		set output "$out/results.png"
		set title "scpatch benchmarks: ratio to the reference (log scale)\n$subtitle"
		set logscale x
		set xrange [*:*]
		set yrange [$count:-1]
		set xlabel "value / reference value (1 = same as the reference)"
		set ytics nomirror font ",9"
		set grid xtics
		set key off
		set style fill solid 0.8 noborder
		set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb "black"
		plot "$data" using (sqrt(\$2)):1:(\$2 < 1 ? \$2 : 1):(\$2 < 1 ? 1 : \$2):(\$1 - 0.35):(\$1 + 0.35):3:ytic(4) \
			with boxxyerror lc variable, \
		     "" using 2:1:(sprintf(" %.2f", \$2)) with labels left font ",9"
	EOF
	[[ -s "$out/results.png" ]] && echo "bench: chart: $out/results.png" >&2
	return 0
}

failed=0 areas=0
machine_header
echo
for script in "$ROOT"/bench/*/run.sh; do
	[[ -x "$script" ]] || continue
	area=$(basename "$(dirname "$script")")
	[[ -z "$BENCH_FILTER" || "$area" == *"$BENCH_FILTER"* ]] || continue
	areas=$((areas + 1))
	run_area "$script" || failed=1
done
if [[ $areas -eq 0 ]]; then
	echo "bench: no area matches BENCH_FILTER='$BENCH_FILTER'" >&2
	exit 1
fi

print_table
write_csv
draw_chart
echo
echo "results: $out/results.csv"
[[ -s "$out/results.png" ]] && echo "chart:   $out/results.png"
exit $failed
