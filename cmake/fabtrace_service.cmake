# fabtrace_service(<name> SOURCES <file>... [LIBRARIES <target>...]): the executable of an
# API on the shared skeleton (fabtrace::service). It gets, as compile definitions named
# after it (shop-api -> SHOP_API_...), its version (<PREFIX>_VERSION), its migrations
# directory (<PREFIX>_MIGRATIONS_DIR: ./migrations) and its OpenAPI file
# (<PREFIX>_OPENAPI_FILE: ./openapi.yaml), and function names in exception stack traces.
function(fabtrace_service name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  string(TOUPPER "${name}" prefix)
  string(REPLACE "-" "_" prefix "${prefix}")
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBRARIES} fabtrace::service)
  target_compile_definitions(${name} PRIVATE
    ${prefix}_VERSION="${PROJECT_VERSION}"
    ${prefix}_MIGRATIONS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/migrations"
    ${prefix}_OPENAPI_FILE="${CMAKE_CURRENT_SOURCE_DIR}/openapi.yaml")
  target_link_options(${name} PRIVATE -rdynamic)
endfunction()
