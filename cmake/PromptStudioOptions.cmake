# Build options and the compiler settings every target shares.

option(PROMPTSTUDIO_TESTS "Build the GoogleTest suites" ON)
option(PROMPTSTUDIO_GUI "Build the desktop program (Qt Widgets)" ON)
# The CUDA backend's kernels on an emulated device (CPU), for tests and
# developers; needs no CUDA toolkit. Never installed.
option(PROMPTSTUDIO_CUDA_EMULATOR "Build the emulated CUDA device (tests)" ${PROMPTSTUDIO_TESTS})
option(PROMPTSTUDIO_NATIVE "Tune the CPU backend for this machine (-march=native)" OFF)

# CUDA is on by default where nvcc can be found (CUDA_HOME or PATH).
if(NOT DEFINED PROMPTSTUDIO_CUDA)
    set(_ps_cuda_default OFF)
    if(DEFINED ENV{CUDA_HOME} AND EXISTS "$ENV{CUDA_HOME}/bin/nvcc")
        set(CMAKE_CUDA_COMPILER "$ENV{CUDA_HOME}/bin/nvcc" CACHE FILEPATH "nvcc")
    endif()
    include(CheckLanguage)
    check_language(CUDA)
    if(CMAKE_CUDA_COMPILER)
        set(_ps_cuda_default ON)
    endif()
endif()
option(PROMPTSTUDIO_CUDA "Build the CUDA backend" ${_ps_cuda_default})

if(PROMPTSTUDIO_CUDA)
    # Workstation GPUs CUDA 13 supports (Turing to Hopper), plus PTX of the newest
    # so that newer cards JIT-compile. CI passes a single architecture to stay fast.
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
        set(CMAKE_CUDA_ARCHITECTURES "75-real;80-real;86-real;89-real;90")
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    # CMake 3.25 (Debian 12) knows no C++20 flag for nvcc and refuses to generate
    # a target with CUDA sources and cxx_std_20; nvcc 12+ takes -std=c++20.
    if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION AND CMAKE_CUDA_COMPILER_VERSION VERSION_GREATER_EQUAL 12.0)
        set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
        set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    endif()
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
endif()

# Layout of the private libraries: libpromptstudio-inference.so and the CUDA
# plugin libpromptstudio-cuda.so live in lib/promptstudio (Debian's place for a
# program's private libraries), found through a relative RUNPATH so that the
# .deb and the unpacked .tar.gz both work. The build tree mirrors it.
set(PROMPTSTUDIO_INSTALL_LIBDIR "lib/promptstudio")
set(PROMPTSTUDIO_BUILD_LIBDIR "${PROJECT_BINARY_DIR}/lib/promptstudio")
set(CMAKE_INSTALL_RPATH "$ORIGIN/../${PROMPTSTUDIO_INSTALL_LIBDIR}")
# Install rules without a COMPONENT belong to the main package; the CUDA plugin
# names its own component (installer/CMakeLists.txt).
set(CMAKE_INSTALL_DEFAULT_COMPONENT_NAME promptstudio)

# Warnings on for our own targets (not for third-party code).
function(promptstudio_warnings target)
    target_compile_options(${target} PRIVATE
        $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wno-missing-field-initializers>)
endfunction()

# Sanitizers for a checking build: -DPROMPTSTUDIO_SANITIZE=address,undefined
set(PROMPTSTUDIO_SANITIZE "" CACHE STRING "Sanitizers to build with (e.g. address,undefined)")
if(PROMPTSTUDIO_SANITIZE)
    add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fsanitize=${PROMPTSTUDIO_SANITIZE}>
                        $<$<COMPILE_LANGUAGE:CXX>:-fno-omit-frame-pointer>)
    add_link_options(-fsanitize=${PROMPTSTUDIO_SANITIZE})
endif()
