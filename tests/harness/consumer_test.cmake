# Installs the deferlab package into a scratch prefix, builds tests/harness/consumer
# against it with find_package(deferlab), runs the result, then runs its benchmarks with
# repetitions interleaved and checks every row's MemoryManager fields
# (tests/harness/memory_fields_test.py).
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DSCRATCH=... -DPYTHON=... -DCXX_COMPILER=...
#         [-DCXX_FLAGS=...] -P consumer_test.cmake
# CXX_COMPILER is the build's own: a sanitizer runtime must match the compiler that
# instrumented the installed libraries (clang-14 in the sanitizer build).
file(REMOVE_RECURSE "${SCRATCH}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${SCRATCH}/prefix"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/harness/consumer"
                        -B "${SCRATCH}/build" -G Ninja
                        "-DCMAKE_PREFIX_PATH=${SCRATCH}/prefix"
                        "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
                        "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
                        "-DCMAKE_EXE_LINKER_FLAGS=${CXX_FLAGS}"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the consumer against the installed package failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${SCRATCH}/build" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the consumer failed")
endif()
execute_process(COMMAND "${SCRATCH}/build/consumer" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the consumer failed")
endif()
execute_process(COMMAND "${PYTHON}" "${SOURCE_DIR}/tests/harness/memory_fields_test.py"
                        "${SCRATCH}/build/consumer" "${SCRATCH}/consumer.bench.json" "." 4
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the consumer's MemoryManager fields are wrong")
endif()
