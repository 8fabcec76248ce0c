// Where the programs deferlab runs beside a benchmark live: found next to the running
// `deferlab` executable, so an installed copy and a build tree both work and no build path
// is compiled in.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace deferlab::tools {

// The directory holding the running executable (/proc/self/exe), or nullopt when the
// kernel does not say.
std::optional<std::filesystem::path> executable_directory();

// A companion program by file name (`deferlab_bench`, `deferlab_empty_loop`): first in
// the installed layout (<bin>/../lib/deferlab/NAME), then in the build tree
// (<build>/tools/deferlab beside <build>/<build_subdir>/NAME). Returns the first that
// exists, or the installed path when neither does, so an error can name where it looked.
std::filesystem::path companion(std::string_view name, std::string_view build_subdir);

// The lab's source tree when deferlab runs from its build tree (for the lab's git
// commit); nullopt for an installed copy.
std::optional<std::filesystem::path> source_tree();

// Whether `binary` carries the `.deferlab_manifest` section, i.e. answers
// --deferlab_cases with a deferlab.cases/1 manifest. Read from the file, never run; a file
// that is not a readable ELF carries none.
bool carries_case_manifest(const std::filesystem::path& binary);

// The binary's GNU build-id in hex, "" when it has none or is not a readable ELF file.
std::string binary_build_id(const std::filesystem::path& binary);

}  // namespace deferlab::tools
