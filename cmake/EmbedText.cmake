# Writes a text file (INPUT) into a C++ source (OUTPUT) as a raw string literal named SYMBOL in
# namespace NAMESPACE. Run with cmake -P by easel_embed_text (below, via include()).
if(CMAKE_SCRIPT_MODE_FILE)
  file(READ "${INPUT}" CONTENT)
  get_filename_component(NAME "${INPUT}" NAME)
  file(WRITE "${OUTPUT}.tmp"
    "// Generated from ${NAME} by cmake/EmbedText.cmake; do not edit.\n"
    "namespace ${NAMESPACE} {\nextern const char ${SYMBOL}[];\n"
    "const char ${SYMBOL}[] = R\"easel_text(${CONTENT})easel_text\";\n}\n")
  file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
  return()
endif()

set(EASEL_EMBED_TEXT_SCRIPT ${CMAKE_CURRENT_LIST_FILE})
# easel_embed_text(INPUT NAMESPACE SYMBOL OUTPUT): OUTPUT is regenerated when INPUT changes.
function(easel_embed_text INPUT NAMESPACE SYMBOL OUTPUT)
  add_custom_command(
    OUTPUT ${OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${INPUT} -DOUTPUT=${OUTPUT} -DSYMBOL=${SYMBOL}
            -DNAMESPACE=${NAMESPACE} -P ${EASEL_EMBED_TEXT_SCRIPT}
    DEPENDS ${INPUT} ${EASEL_EMBED_TEXT_SCRIPT}
    COMMENT "Embedding ${INPUT}")
endfunction()
