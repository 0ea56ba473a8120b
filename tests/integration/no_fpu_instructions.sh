#!/bin/sh
# tests/integration/no_fpu_instructions.sh: an i386 image must hold no x87,
# MMX or SSE instruction. Runs on: host, under CTest.
#
# usage: no_fpu_instructions.sh IMAGE
# The hypervisor runs on whatever FPU state the guest left (it never saves
# it), which is safe only if nothing it runs, Capstone included, uses those
# registers (docs/containment.md). Exit status: 0 none, 1 some (listed),
# 2 the image could not be disassembled.
set -u
[ $# -eq 1 ] || { echo "usage: no_fpu_instructions.sh IMAGE" >&2; exit 2; }
listing=$(objdump -d --no-show-raw-insn "$1") || exit 2
# The mnemonic is the first word after the address's tab.
found=$(printf '%s\n' "$listing" | awk -F'\t' 'NF >= 2 { split($2, w, " "); print w[1] }' |
	grep -E '^(f[a-z0-9]+|(v)?(mov|add|sub|mul|div|xor|and|andn|or|min|max|sqrt|cmp)(a|u)?(p|s)[sd]|movdq[au]|movq|movd|p[a-z]+|emms|ldmxcsr|stmxcsr|xsave[a-z]*|xrstor[a-z]*|cvt[a-z0-9]+|ucomis[sd]|comis[sd])$' |
	grep -v -E '^(push[a-z]*|pop[a-z]*|pause)$' | sort | uniq -c)
if [ -n "$found" ]; then
	echo "x87/MMX/SSE instructions in $1:"
	echo "$found"
	exit 1
fi
printf '%s\n' "$listing" | grep -q '<hv_trap>:' || { echo "no hv_trap in $1: not the hypervisor?"; exit 2; }
echo "no x87, MMX or SSE instruction in $1"
exit 0
