# strata_embed(<target> <namespace> <file>...): turns text files (ledger DDL, rule docs) into a
# generated .cc with one `std::string_view` per file, looked up by file name, so the binary
# needs nothing from disk at run time.
function(strata_embed target ns)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded.cc)
  set(inputs ${ARGN})
  string(REPLACE ";" "|" joined "${inputs}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${ns} "-DINPUTS=${joined}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${inputs} ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "Embedding ${target} files"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
