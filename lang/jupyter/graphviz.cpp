// Runs `dot -Tsvg` with the DOT text on its stdin and reads the SVG from its stdout.
// Both ends are served by one poll loop: a large graph fills a pipe both ways, and
// writing everything before reading would deadlock. stdin is a socket pair, not a
// pipe, so that writing to a `dot` that has quit is an error (send with
// MSG_NOSIGNAL), not a SIGPIPE that would end the kernel.
#include "jupyter/graphviz.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

extern char** environ;

namespace hinge::lang::jupyter {

namespace {

constexpr std::size_t kMaxSvgBytes = std::size_t{16} << 20;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// The two ends of a channel to the child; closed when it goes out of scope.
struct Channel {
  int read = -1, write = -1;
  bool open_pipe() { return adopt(pipe2(fds_, O_CLOEXEC)); }
  bool open_socket() { return adopt(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_)); }
  ~Channel() {
    close_fd(read);
    close_fd(write);
  }

 private:
  bool adopt(int result) {
    if (result != 0) return false;
    read = fds_[0];
    write = fds_[1];
    return true;
  }
  int fds_[2] = {-1, -1};
};

}  // namespace

std::optional<std::string> render_dot_svg(const std::string& dot_source, std::chrono::milliseconds timeout) {
  Channel in, out;
  if (!in.open_socket() || !out.open_pipe()) return std::nullopt;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  char arg0[] = "dot", arg1[] = "-Tsvg";
  char* argv[] = {arg0, arg1, nullptr};
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return std::nullopt;  // no Graphviz
  close_fd(in.read);
  close_fd(out.write);
  fcntl(in.write, F_SETFL, O_NONBLOCK);

  std::string svg;
  std::size_t sent = 0;
  bool ok = true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.read >= 0) {
    if (sent == dot_source.size()) close_fd(in.write);  // dot reads to the end
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ok = false;
      break;
    }
    std::array<pollfd, 2> fds{{{out.read, POLLIN, 0}, {in.write, POLLOUT, 0}}};
    const int n =
        poll(fds.data(), in.write >= 0 ? 2 : 1, static_cast<int>(std::min<long>(left.count(), 100)));
    if (n < 0 && errno != EINTR) {
      ok = false;
      break;
    }
    if (in.write >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t w = ::send(in.write, dot_source.data() + sent, dot_source.size() - sent, MSG_NOSIGNAL);
      if (w > 0) {
        sent += static_cast<std::size_t>(w);
      } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        close_fd(in.write);  // dot stopped reading; its exit status says why
        sent = dot_source.size();
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      const ssize_t r = ::read(out.read, buf, sizeof buf);
      if (r > 0) {
        svg.append(buf, static_cast<std::size_t>(r));
        if (svg.size() > kMaxSvgBytes) {
          ok = false;
          break;
        }
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        close_fd(out.read);
      }
    }
  }
  if (!ok) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return svg;
}

}  // namespace hinge::lang::jupyter
