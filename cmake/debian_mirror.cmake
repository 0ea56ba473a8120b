# cmake/debian_mirror.cmake: find the Debian mirror this machine already uses.
# Runs on: host, at configure time.
#
# tv_debian_mirror(<uri_var> <keyring_var> <suite>) reads the system's APT
# sources (the one-line format in sources.list and *.list, and the deb822
# format in *.sources) and returns the first URI that serves <suite>
# (e.g. "bookworm") with the "main" component, and the keyring that entry is
# signed by, if it names one. Both are empty when nothing matches; the
# caller then stops and asks for a source. An optional fourth argument names another root
# directory to read etc/apt from (to try the parser on sample files).

function(tv_debian_mirror uri_var keyring_var suite)
  set(uri "")
  set(keyring "")
  set(root "${ARGV3}")
  file(GLOB parts ${root}/etc/apt/sources.list.d/*.list
    ${root}/etc/apt/sources.list.d/*.sources)
  set(files "")
  if(EXISTS ${root}/etc/apt/sources.list)
    list(APPEND files ${root}/etc/apt/sources.list)
  endif()
  list(SORT parts)
  list(APPEND files ${parts})

  foreach(f ${files})
    if(uri)
      break()
    endif()
    file(READ ${f} text)
    if(f MATCHES "\\.sources$")
      # deb822: stanzas of "Field: value" lines, separated by blank lines.
      # A blank line is appended so the last stanza is judged too.
      string(REPLACE ";" "," text "${text}")
      string(REPLACE "\n" ";" lines "${text};")
      set(st "")
      foreach(line IN LISTS lines)
        if(NOT line MATCHES "^[ \t]*$")
          string(APPEND st "\n${line}")
          continue()
        endif()
        string(REGEX MATCH "\nEnabled:[ \t]*no" disabled "${st}")
        string(REGEX MATCH "\nTypes:[^\n]*" types "${st}")
        string(REGEX MATCH "\nSuites:[^\n]*" suites "${st}")
        string(REGEX MATCH "\nComponents:[^\n]*" comps "${st}")
        string(REGEX MATCH "\nURIs:[ \t]*([^ \t\n]+)" m "${st}")
        set(this_uri "${CMAKE_MATCH_1}")
        if(NOT disabled AND types MATCHES "[ \t]deb(-src)?([ \t]|$)"
           AND suites MATCHES "[ \t]${suite}([ \t]|$)"
           AND comps MATCHES "[ \t]main([ \t]|$)" AND this_uri)
          set(uri "${this_uri}")
          string(REGEX MATCH "\nSigned-By:[ \t]*(/[^ \t\n]+)" m "${st}")
          set(keyring "${CMAKE_MATCH_1}")
          break()
        endif()
        set(st "")
      endforeach()
    else()
      # One-line format: deb [options] URI suite component...
      file(STRINGS ${f} lines)
      foreach(line IN LISTS lines)
        if(line MATCHES "^[ \t]*deb(-src)?[ \t]+(\\[([^]]*)\\][ \t]+)?([^ \t]+)[ \t]+${suite}[ \t]+(.*)$")
          set(this_uri "${CMAKE_MATCH_4}")
          set(opts "${CMAKE_MATCH_3}")
          if(CMAKE_MATCH_5 MATCHES "(^|[ \t])main([ \t]|$)")
            set(uri "${this_uri}")
            if(opts MATCHES "signed-by=([^ \t]+)")
              set(keyring "${CMAKE_MATCH_1}")
            endif()
            break()
          endif()
        endif()
      endforeach()
    endif()
  endforeach()

  set(${uri_var} "${uri}" PARENT_SCOPE)
  set(${keyring_var} "${keyring}" PARENT_SCOPE)
endfunction()
