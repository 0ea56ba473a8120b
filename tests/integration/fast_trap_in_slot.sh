#!/bin/sh
# tests/integration/fast_trap_in_slot.sh: the fast trap path's code, as
# linked into the hypervisor, names nothing outside the switcher's slot.
# Runs on: host, under CTest.
#
# usage: fast_trap_in_slot.sh IMAGE
# The fast path runs at ring 0 on the guest's page tables, where every
# address below 0xFFC00000 is the guest's (docs/containment.md): an
# address of the hypervisor's own there would read the guest's byte, or
# run the guest's code at ring 0. So in hv/fast_trap.S, from
# fast_trap_start to fast_trap_code_end:
#   - every branch goes to an address in the slot, and there is no CALL,
#     RET or indirect branch (nothing is taken from a stack or register);
#   - every memory operand with an address (a displacement of 64 KiB or
#     more) has it in the slot; one without is off %esp (the trap frame, on
#     the switcher's trap stack) or %ecx (the guest's instruction bytes,
#     whose reading hv/fast_trap.S argues cannot fault).
# Exit status: 0 all in the slot, 1 something outside (listed), 2 the
# image could not be read.
set -u
[ $# -eq 1 ] || { echo "usage: fast_trap_in_slot.sh IMAGE" >&2; exit 2; }
syms=$(nm "$1") || exit 2
start=$(printf '%s\n' "$syms" | awk '$3 == "fast_trap_start" { print $1 }')
end=$(printf '%s\n' "$syms" | awk '$3 == "fast_trap_code_end" { print $1 }')
[ -n "$start" ] && [ -n "$end" ] || { echo "no fast_trap_start or fast_trap_code_end in $1"; exit 2; }
listing=$(objdump -d --no-show-raw-insn --start-address="0x$start" --stop-address="0x$end" "$1") ||
	exit 2
printf '%s\n' "$listing" | awk -F'\t' '
function hex(s,    i, c, v) {
	v = 0
	s = tolower(s)
	sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1)) - 1
		if (c < 0)
			return -1
		v = v * 16 + c
	}
	return v
}
# A displacement as an address: negative ones wrap around 2^32.
function address(d) {
	if (substr(d, 1, 1) == "-")
		return 4294967296 - hex(substr(d, 2))
	return hex(d)
}
function in_slot(a) { return a >= 4290772992 && a <= 4294967295 }	# 0xFFC00000 up
function bad(why) { print "outside the slot: " $0 " (" why ")"; failed = 1 }
NF >= 2 && $1 ~ /^ *[0-9a-f]+:$/ {
	n++
	split($2, w, " ")
	op = w[1]
	rest = substr($2, length(op) + 1)
	gsub(/ /, "", rest)
	if (op ~ /^(call|lcall|ret|lret|iret|ljmp)/ || rest ~ /^\*/) {
		bad("a call, a return or an indirect branch")
		next
	}
	if (op ~ /^j/) {
		split(rest, t, "<")
		if (!in_slot(hex(t[1])))
			bad("a branch out of the slot")
		next
	}
	# Each operand: immediates ($) are values, not addresses.
	s = rest
	while (s != "") {
		if (match(s, /^\$-?0x[0-9a-f]+|^\$[0-9]+/)) {
			s = substr(s, RLENGTH + 1)
		} else if (match(s, /^-?(0x[0-9a-f]+)?\([^)]*\)/)) {
			m = substr(s, 1, RLENGTH)
			s = substr(s, RLENGTH + 1)
			d = m
			sub(/\(.*/, "", d)
			regs = m
			sub(/^[^(]*\(/, "", regs)
			sub(/\)$/, "", regs)
			split(regs, r, ",")
			if (d != "" && (address(d) >= 65536 && address(d) < 4294901760)) {
				if (!in_slot(address(d)))
					bad("an address out of the slot")
			} else if (r[1] != "%esp" && r[1] != "%ecx") {
				bad("a base register other than %esp or %ecx")
			}
		} else if (match(s, /^0x[0-9a-f]+/)) {
			if (!in_slot(hex(substr(s, 1, RLENGTH))))
				bad("an absolute address out of the slot")
			s = substr(s, RLENGTH + 1)
		} else if (match(s, /^%[a-z0-9]+/)) {
			s = substr(s, RLENGTH + 1)
		} else {
			s = substr(s, 2)
		}
		sub(/^,/, "", s)
	}
}
END {
	if (n < 20) {
		print "only " n " instructions between fast_trap_start and fast_trap_code_end"
		exit 2
	}
	if (failed)
		exit 1
	print n " instructions of the fast trap path, every address in the slot"
}'
