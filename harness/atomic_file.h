// Writes a file so that readers see the old content or the new, never half of either:
// the bytes go to a temporary name in the same directory, are flushed, and the temporary
// is renamed over the target (rename is atomic within a file system).
//
//   write_file_atomically(dir / "bench.json", json.dump(2));
#pragma once

#include <filesystem>
#include <string_view>

namespace deferlab {

// Throws Error when the directory is not writable or the disk is full.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Points `link` at `target` atomically (a temporary symlink renamed over it).
void replace_symlink(const std::filesystem::path& link, const std::filesystem::path& target);

}  // namespace deferlab
