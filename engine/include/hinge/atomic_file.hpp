// Atomic file replacement: write a temporary file beside the target, flush it to
// disk, then rename it over the target. A crash at any moment leaves either the
// old file or the new one, never a half-written file.
//
// What is replaced, and how:
// - only a regular file (or a path that does not exist yet). A device, FIFO,
//   socket or directory at the path is an error, never replaced (so `/dev/null`
//   and `/dev/stdout` are refused, not written through);
// - a symlink is followed (to any depth) and the file it names is replaced, its
//   temporary made beside that real file; the link itself stays a link;
// - a file with several hard links is an error (a rename would split it from its
//   other names);
// - a file the process may not write (access W_OK) is an error, though the
//   directory would allow the rename;
// - the new file keeps the old one's mode and owner, and its group where the
//   process may set it; another user's file, whose owner the replacement could not
//   keep, is an error; a new file gets `new_file_mode` (0666 unless asked) less
//   the umask;
// - the temporary is NAME.tmp.PID.RANDOM, created with O_EXCL|O_NOFOLLOW, so no
//   planted file or symlink is ever opened.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace hinge {

// What a write found on its way, for the caller to report.
struct WriteReport {
  int stale_temps_removed = 0;  // temporaries of killed writers of the same file
  std::uintmax_t stale_bytes_removed = 0;
};

// Replaces `path` with `contents`; throws IoError ("PATH: reason") on failure, in
// which case `path` is untouched and no temporary file is left behind. Before it
// returns it removes the temporaries that killed writers of the same file left.
WriteReport write_file_atomic(const std::string& path, std::string_view contents,
                              unsigned new_file_mode = 0666);

// For a signal handler that is about to end the process: removes the temporary of
// the write in progress, if any. Async-signal-safe (one unlink).
void abandon_atomic_write() noexcept;

// The whole file; throws IoError ("PATH: No such file or directory", ...). Files
// larger than `max_bytes` are refused with a clear message. A stop request
// (hinge/interrupt.hpp) ends a wait for a FIFO's or a terminal's writer with
// Interrupted.
std::string read_file(const std::string& path, std::size_t max_bytes = std::size_t{1} << 30);

}  // namespace hinge
