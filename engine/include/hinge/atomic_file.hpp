// Atomic file replacement: write a temporary file beside the target, flush it to
// disk, then rename it over the target. A crash at any moment leaves either the
// old file or the new one, never a half-written file.
#pragma once
#include <string>
#include <string_view>

namespace hinge {

// Replaces `path` with `contents`; throws IoError ("PATH: reason") on failure, in
// which case `path` is untouched and no temporary file is left behind.
void write_file_atomic(const std::string& path, std::string_view contents);

// The whole file; throws IoError ("PATH: No such file or directory", ...). Files
// larger than `max_bytes` are refused with a clear message.
std::string read_file(const std::string& path, std::size_t max_bytes = std::size_t{1} << 30);

}  // namespace hinge
