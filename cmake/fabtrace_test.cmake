# fabtrace_test(<name> SOURCES <file>... [LIBRARIES <target>...] [INCLUDES <dir>...]
#               [PREFIX <ctest prefix>]): a GoogleTest executable whose tests CTest
# discovers. Test code is the slowest to compile (GoogleTest's and nlohmann::json's
# templates) and the quickest to run, so it is built without optimisation; the libraries
# and services it tests keep the build type's flags.
function(fabtrace_test name)
  cmake_parse_arguments(ARG "" "PREFIX" "SOURCES;LIBRARIES;INCLUDES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${ARG_INCLUDES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBRARIES} GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${FABTRACE_TEST_COMPILE_OPTIONS})
  if(ARG_PREFIX)
    gtest_discover_tests(${name} TEST_PREFIX "${ARG_PREFIX}")
  else()
    gtest_discover_tests(${name})
  endif()
endfunction()
