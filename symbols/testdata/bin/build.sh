#!/bin/sh
# Regenerates the binaries in this directory from demo.c and util.c. They are
# checked in so that bin_test.go needs no compiler; rebuild them only when the
# sources change, and then update the literal addresses in bin_test.go.
#
# Built with gcc (Debian 12.2.0-14+deb12u1) 12.2.0 and GNU binutils 2.40 on
# Debian 12 x86-64; another version gives other addresses.
#
# -ffile-prefix-map replaces this directory with /src, so the DWARF names
# /src/demo.c wherever the repository lives, and a rebuild elsewhere gives
# the same bytes.
set -eu
cd "$(dirname "$0")"
here=$(pwd)
cc() {
	out=$1
	shift
	gcc "$@" -ffile-prefix-map="$here"=/src -o "$out" demo.c util.c
}

cc demo-O0 -O0 -g                  # DWARF 5, PIE, no optimisation
cc demo-O2 -O2 -g                  # scale() inlined twice, location lists (.debug_loclists)
cc demo-O2-dwarf4 -O2 -gdwarf-4    # DWARF 4: .debug_loc, .debug_ranges, version 4 line table
cc demo-gz -O0 -g -gz              # SHF_COMPRESSED debug sections (zlib)

# A stripped executable with its DWARF in demo-split.debug, found through
# .gnu_debuglink (with its CRC).
cc demo-split -O0 -g
objcopy --only-keep-debug demo-split demo-split.debug
strip --strip-debug demo-split
objcopy --add-gnu-debuglink=demo-split.debug demo-split
