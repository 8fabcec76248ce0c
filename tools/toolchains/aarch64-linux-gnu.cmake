# Cross-compiles for AArch64 Linux with Debian's g++-aarch64-linux-gnu, against the arm64
# libraries of Debian multiarch (libbenchmark-dev:arm64, libgtest-dev:arm64), and runs the
# resulting test binaries under qemu-user when it is installed.
#
#   cmake --preset aarch64        (CMakePresets.json points here)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Multiarch: find_package looks in /usr/lib/aarch64-linux-gnu/cmake, never in the host's
# x86_64 directory; architecture-independent configs (/usr/share/cmake) still apply.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

find_program(DEFERLAB_QEMU_AARCH64 qemu-aarch64)
if(DEFERLAB_QEMU_AARCH64)
  # -L: where the AArch64 dynamic loader and libc live. With Debian multiarch's
  # libc6:arm64 installed (it comes with libbenchmark-dev:arm64) that is /, and it must
  # be: /usr/aarch64-linux-gnu holds the cross toolchain's own ld.so, whose version can
  # differ from the multiarch libc.so.6 it ends up loading, and such a pair hangs in
  # pthread_create (seen with 2.36-8cross1 against 2.36-9+deb12u14).
  if(EXISTS /lib/ld-linux-aarch64.so.1)
    set(DEFERLAB_AARCH64_SYSROOT /)
  else()
    set(DEFERLAB_AARCH64_SYSROOT /usr/aarch64-linux-gnu)
  endif()
  set(CMAKE_CROSSCOMPILING_EMULATOR ${DEFERLAB_QEMU_AARCH64} -L ${DEFERLAB_AARCH64_SYSROOT})
endif()
