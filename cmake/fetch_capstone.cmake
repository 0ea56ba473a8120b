# cmake/fetch_capstone.cmake: download Debian's capstone source package and
# unpack the parts the hypervisor compiles.
# Runs on: host, at build time, as `cmake -P` (see cmake/CMakeLists.txt).
#
# Inputs (-D): MIRROR (a Debian archive URI), KEYRING (may be empty), SUITE,
# VERSION (upstream version expected, e.g. 4.0.2), WORK (scratch directory),
# DEST (where the source tree ends up).
#
# apt-get runs with an isolated configuration: its own source list with a
# single deb-src line and its own lists and cache directories, so the
# machine's APT state is neither used nor changed. Debian's patches touch
# only the Python bindings and the Makefile, so the upstream tarball is used
# as it is. Any failure stops the build with one clear line.

foreach(v MIRROR SUITE VERSION WORK DEST)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "capstone fetch: ${v} not given")
  endif()
endforeach()

find_program(APT_GET apt-get)
find_program(TAR tar)
if(NOT APT_GET OR NOT TAR)
  message(FATAL_ERROR "capstone fetch: apt-get and tar are needed to fetch "
    "Debian's capstone source package")
endif()

set(apt ${WORK}/apt)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${apt}/sources.list.d ${apt}/lists/partial
  ${apt}/cache/archives/partial ${WORK}/download ${WORK}/unpack)

set(options "")
if(KEYRING AND EXISTS "${KEYRING}")
  set(options "[signed-by=${KEYRING}] ")
endif()
file(WRITE ${apt}/sources.list.d/capstone.list
  "deb-src ${options}${MIRROR} ${SUITE} main\n")

set(apt_isolated
  -o Dir::Etc::SourceList=/dev/null
  -o Dir::Etc::SourceParts=${apt}/sources.list.d
  -o Dir::State::Lists=${apt}/lists
  -o Dir::Cache=${apt}/cache
  -o Debug::NoLocking=true)

# Runs one step; on failure prints the last lines of its output and stops.
function(run_step what)
  execute_process(COMMAND ${ARGN}
    WORKING_DIRECTORY ${WORK}/download
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(STRIP "${out}" out)
    string(LENGTH "${out}" n)
    if(n GREATER 600)
      math(EXPR from "${n} - 600")
      string(SUBSTRING "${out}" ${from} -1 out)
    endif()
    message(FATAL_ERROR "capstone fetch: ${what} failed (status ${rc}) "
      "using 'deb-src ${MIRROR} ${SUITE} main':\n${out}")
  endif()
endfunction()

run_step("apt-get update" ${APT_GET} ${apt_isolated} -q --error-on=any update)
run_step("apt-get source capstone" ${APT_GET} ${apt_isolated} -q
  source --download-only capstone)

set(archive ${WORK}/download/capstone_${VERSION}.orig.tar.gz)
if(NOT EXISTS ${archive})
  file(GLOB got RELATIVE ${WORK}/download ${WORK}/download/*)
  message(FATAL_ERROR "capstone fetch: expected capstone_${VERSION}.orig.tar.gz "
    "from ${SUITE}, got: ${got}")
endif()

# Only the library sources, headers and licences are unpacked (cs.c includes
# every architecture's *Module.h, compiled in or not). -m gives the
# files the current time, so they are newer than this script and the build
# does not fetch again.
set(top capstone-${VERSION})
run_step("unpacking ${archive}" ${TAR} -xzmf ${archive} -C ${WORK}/unpack
  --wildcards --no-wildcards-match-slash
  "${top}/*.c" "${top}/*.h" "${top}/*.TXT" "${top}/include" "${top}/arch/X86" "${top}/arch/*/*Module.h")

# Move into place last, so an interrupted fetch never leaves a tree that
# looks complete.
file(REMOVE_RECURSE ${DEST})
file(RENAME ${WORK}/unpack/${top} ${DEST})
file(REMOVE_RECURSE ${WORK})
