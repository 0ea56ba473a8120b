#!/bin/sh
# tests/integration/fuzz_sample.sh: run `trapvisor fuzz` with the given
# options and pass only when nothing was unexpected (status 0): any
# unexpected divergence or stop (1), a hang under the hypervisor (5), a
# crash or panic (6) or a fuzzer that could not run (2, 3) fails.
# Runs on: host.
# usage: fuzz_sample.sh FUZZ-OPTIONS...   (TRAPVISOR_HOST: the host program)
"$TRAPVISOR_HOST" fuzz "$@"
s=$?
echo "fuzz exit status $s"
exit $s
