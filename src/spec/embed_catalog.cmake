# Writes data/azure-catalog.json into a C++ source as a raw string literal.
file(READ "${INPUT}" CONTENT)
file(WRITE "${OUTPUT}.tmp"
  "// Generated from data/azure-catalog.json by embed_catalog.cmake; do not edit.\n"
  "namespace easel::spec {\nextern const char kEmbeddedCatalogJson[];\n"
  "const char kEmbeddedCatalogJson[] = R\"easel_catalog(${CONTENT})easel_catalog\";\n}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
