// The REPL as people use it: the built `hinge` driven through a pipe (plain lines,
// exit status) and through a pseudo-terminal (prompts, continuation, completion,
// Ctrl-C, Ctrl-D, history), checking the screen a person would see; and the
// completion candidates directly.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hinge/checkpoint.hpp"
#include "hinge/graph.hpp"
#include "repl/complete.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// A scratch HOME and XDG_STATE_HOME, so the user's history is never touched.
struct TempHome : hinge::test::TempDir {
  TempHome() : TempDir("hinge-repl") {}
  fs::path state() const { return path / "state"; }
  fs::path history() const { return state() / "hinge" / "history"; }
};

// The environment of a child: ours, with HOME, XDG_STATE_HOME and TMPDIR (where
// the history is written before it replaces the file) replaced. NO_COLOR and
// COLUMNS are dropped too, so that only a test sets them.
std::vector<std::string> child_env(const TempHome& home) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (kv.rfind("HOME=", 0) == 0 || kv.rfind("XDG_STATE_HOME=", 0) == 0 || kv.rfind("TMPDIR=", 0) == 0 ||
        kv.rfind("TERM=", 0) == 0 || kv.rfind("NO_COLOR=", 0) == 0 || kv.rfind("COLUMNS=", 0) == 0)
      continue;
    env.push_back(kv);
  }
  env.push_back("HOME=" + home.path.string());
  env.push_back("XDG_STATE_HOME=" + home.state().string());
  env.push_back("TMPDIR=" + home.path.string());
  env.push_back("TERM=xterm");
  return env;
}

[[noreturn]] void exec_hinge(const std::vector<std::string>& env, const fs::path& cwd) {
  std::vector<char*> envp;
  for (const std::string& kv : env) envp.push_back(const_cast<char*>(kv.c_str()));
  envp.push_back(nullptr);
  if (chdir(cwd.c_str()) != 0) _exit(127);
  char* argv[] = {const_cast<char*>("hinge"), nullptr};
  execve(HINGE_EXE, argv, envp.data());
  _exit(127);
}

int wait_status(pid_t pid, int timeout_ms) {
  int ws = 0;
  const auto end = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (waitpid(pid, &ws, WNOHANG) == 0) {
    if (Clock::now() > end) {
      kill(pid, SIGKILL);
      waitpid(pid, &ws, 0);
      return -1;  // hung
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---------------------------------------------------------------- through a pipe

struct Piped {
  int status = -1;
  std::string out, err;
};

// Runs `hinge` with `input` on stdin (a pipe), collecting stdout and stderr; a
// session that does not finish within the timeout is killed and fails the test.
Piped run_piped(const std::string& input, const TempHome& home, int timeout_ms = 20000,
                int interrupt_after_ms = -1) {
  int in[2], out[2], err[2];
  REQUIRE(pipe(in) == 0);
  REQUIRE(pipe(out) == 0);
  REQUIRE(pipe(err) == 0);
  const std::vector<std::string> env = child_env(home);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    exec_hinge(env, home.path);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  // Small inputs fit in the pipe buffer: write all, then close (EOF for hinge).
  REQUIRE(write(in[1], input.data(), input.size()) == static_cast<ssize_t>(input.size()));
  close(in[1]);
  Piped r;
  const auto end = Clock::now() + std::chrono::milliseconds(timeout_ms);
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  bool interrupted = false;
  const auto start = Clock::now();
  while (open_fds > 0 && Clock::now() < end) {
    if (interrupt_after_ms >= 0 && !interrupted &&
        Clock::now() - start > std::chrono::milliseconds(interrupt_after_ms)) {
      kill(pid, SIGINT);  // what Ctrl-C does
      interrupted = true;
    }
    if (poll(fds, 2, 20) <= 0) continue;
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      const ssize_t n = read(fds[k].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
      } else {
        (k == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  for (const pollfd& p : fds)
    if (p.fd >= 0) close(p.fd);
  r.status = wait_status(pid, open_fds > 0 ? 0 : 5000);
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.status != -1);  // hung
  return r;
}

// ---------------------------------------------------------------- through a terminal

// What a person sees: a minimal terminal (printable text, CR, LF, backspace, the
// cursor and erase sequences libedit uses); other escape sequences are skipped.
class Screen {
 public:
  void feed(const std::string& bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      const char c = bytes[i];
      if (c == '\x1b') {
        i = escape(bytes, i);
      } else if (c == '\r') {
        col_ = 0;
      } else if (c == '\n') {
        ++row_;
        line();
      } else if (c == '\b') {
        if (col_ > 0) --col_;
      } else if (c == '\a') {
      } else {
        std::string& l = line();
        if (l.size() < col_) l.resize(col_, ' ');
        if (col_ < l.size())
          l[col_] = c;
        else
          l += c;
        ++col_;
      }
    }
  }
  // The screen's lines, right-trimmed.
  std::vector<std::string> lines() const {
    std::vector<std::string> r;
    for (std::string l : rows_) r.push_back(l.erase(l.find_last_not_of(' ') + 1));
    return r;
  }
  std::string text() const {
    std::string t;
    for (const std::string& l : lines()) t += l + "\n";
    return t;
  }
  // The line the cursor is on.
  std::string current() const { return row_ < rows_.size() ? lines()[row_] : ""; }

 private:
  std::string& line() {
    if (rows_.size() <= row_) rows_.resize(row_ + 1);
    return rows_[row_];
  }
  std::size_t escape(const std::string& b, std::size_t i) {
    if (i + 1 >= b.size()) return i;
    if (b[i + 1] != '[') return i + ((b[i + 1] == '(' || b[i + 1] == ')') ? 2 : 1);
    std::size_t j = i + 2;
    std::string params;
    while (j < b.size() && b[j] >= 0x20 && b[j] <= 0x3f) params += b[j++];
    if (j >= b.size()) return j;
    const int n = params.empty() || params[0] == '?' ? 1 : std::max(1, std::atoi(params.c_str()));
    switch (b[j]) {
      case 'A': row_ = row_ >= static_cast<std::size_t>(n) ? row_ - n : 0; break;
      case 'B': row_ += n; break;
      case 'C': col_ += n; break;
      case 'D': col_ = col_ >= static_cast<std::size_t>(n) ? col_ - n : 0; break;
      case 'G': col_ = n - 1; break;
      case 'K':
        if (params.empty() || params == "0") {
          std::string& l = line();
          if (l.size() > col_) l.resize(col_);
        }
        break;
      case 'J':
        if (params.empty() || params == "0") {
          std::string& l = line();
          if (l.size() > col_) l.resize(col_);
          rows_.resize(row_ + 1);
        }
        break;
      default: break;
    }
    return j;
  }

  std::vector<std::string> rows_;
  std::size_t row_ = 0, col_ = 0;
};

// Control characters made visible, for failure messages.
std::string escaped(const std::string& bytes) {
  std::string r;
  for (unsigned char c : bytes) {
    if (c == '\n')
      r += "\\n\n";
    else if (c < 0x20 || c == 0x7f)
      r += "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15];
    else
      r += static_cast<char>(c);
  }
  return r;
}

// `hinge` on a pseudo-terminal: send keys, wait (with a timeout) for the screen
// to show something.
class Terminal {
 public:
  explicit Terminal(const TempHome& home, const std::vector<std::string>& extra_env = {},
                    unsigned short columns = 120) {
    std::vector<std::string> env = child_env(home);
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    winsize ws{};
    ws.ws_row = 40;
    ws.ws_col = columns;
    pid_ = forkpty(&master_, nullptr, nullptr, &ws);
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) exec_hinge(env, home.path);
  }
  ~Terminal() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
  }

  void send(const std::string& keys) {
    REQUIRE(write(master_, keys.data(), keys.size()) == static_cast<ssize_t>(keys.size()));
  }

  // Reads until the screen satisfies `ok`, or fails after `timeout_ms`.
  template <class Pred>
  bool wait_for(Pred ok, int timeout_ms = 10000) {
    const auto end = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      if (ok(screen_)) return true;
      if (Clock::now() > end) {
        UNSCOPED_INFO("the screen after waiting " << timeout_ms << " ms:\n"
                                                  << screen_.text() << "bytes: " << escaped(raw_));
        return false;
      }
      if (!poll_once(50)) return ok(screen_);  // the terminal closed
    }
  }
  // Reads what the terminal shows within `ms`; false once it is closed.
  bool poll_once(int ms) {
    pollfd p{master_, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) return true;
    char buf[4096];
    const ssize_t n = read(master_, buf, sizeof buf);
    if (n <= 0) return false;
    raw_.append(buf, static_cast<std::size_t>(n));
    screen_.feed(std::string(buf, static_cast<std::size_t>(n)));
    return true;
  }
  bool wait_text(const std::string& part, int timeout_ms = 10000) {
    return wait_for([&](const Screen& s) { return has(s.text(), part); }, timeout_ms);
  }
  // Waits until the cursor's line is exactly `line` (a prompt and what was typed).
  bool wait_line(const std::string& line, int timeout_ms = 10000) {
    return wait_for([&](const Screen& s) { return s.current() == line; }, timeout_ms);
  }
  // Waits for a fresh empty prompt once `count` lines in all start with '>' (the
  // prompt; continuation lines start with "...").
  bool wait_prompts(std::size_t count, int timeout_ms = 10000) {
    return wait_for(
        [&](const Screen& s) {
          std::size_t n = 0;
          for (const std::string& l : s.lines()) n += l.rfind('>', 0) == 0;
          return n >= count && s.current() == ">";
        },
        timeout_ms);
  }
  // Waits for an empty prompt: keys sent before it would be typed ahead while the
  // terminal is not yet in editing mode.
  bool wait_prompt(int timeout_ms = 10000) {
    return wait_for([](const Screen& s) { return s.current() == ">"; }, timeout_ms);
  }
  int wait_exit(int timeout_ms = 10000) {
    // Keep draining the terminal so the child never blocks on a full buffer.
    const auto end = Clock::now() + std::chrono::milliseconds(timeout_ms);
    int ws = 0;
    while (waitpid(pid_, &ws, WNOHANG) == 0) {
      if (Clock::now() > end) {
        UNSCOPED_INFO("the screen when it did not exit:\n" << screen_.text());
        return -1;
      }
      poll_once(20);
    }
    exited_ = true;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
  }
  std::string text() const { return screen_.text(); }
  const Screen& screen() const { return screen_; }
  const std::string& raw() const { return raw_; }

 private:
  int master_ = -1;
  pid_t pid_ = -1;
  bool exited_ = false;
  Screen screen_;
  std::string raw_;
};

}  // namespace

// ---------------------------------------------------------------- pipe tests

TEST_CASE("repl pipe: a value is printed plainly, no prompt", "[repl]") {
  TempHome home;
  Piped r = run_piped("relu(-1)\n", home);
  CHECK(r.out == "0\n");
  CHECK(r.err.empty());
  CHECK(r.status == 0);
}

TEST_CASE("repl pipe: an error keeps earlier bindings; the exit status reports it", "[repl]") {
  TempHome home;
  Piped r = run_piped("let a = 2\nfoo + 1\na * 3\n", home);
  INFO(r.err);
  CHECK(r.out == "a = 2\n6\n");
  CHECK(has(r.err, "<repl>:2:1: error: unknown name 'foo'"));  // the second line of the input
  CHECK(has(r.err, "    foo + 1\n    ^~~"));
  CHECK(r.status == 70);
}

TEST_CASE("repl pipe: multi-line entries, blank continuation lines, an entry left open", "[repl]") {
  TempHome home;
  Piped ok = run_piped("let y = (1 +\n\n  2)\ndef f(x) {\n  return x * y\n}\nf(2)\n", home);
  INFO(ok.err);
  CHECK(ok.out == "y = 3\n6\n");
  CHECK(ok.status == 0);

  Piped open = run_piped("let z = [1, 2,\n", home);
  CHECK(open.out.empty());
  CHECK(has(open.err, "error:"));
  CHECK(open.status == 70);
}

TEST_CASE("repl pipe: :vars lists names, kinds and shapes", "[repl]") {
  TempHome home;
  Piped r = run_piped("param w = 0.5\nlet xs = [1, 2, 3]\ndef f(x) = x * w\nlet n = 4\n:vars\n", home);
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  const std::string table = r.out.substr(r.out.find("name"));
  CHECK(has(table, "name  kind      shape    value\n"));
  CHECK(has(table, "f     function           f(x)\n"));
  CHECK(has(table, "n     number             4\n"));
  CHECK(has(table, "w     param     [] f64   0.5\n"));
  CHECK(has(table, "xs    tensor    [3] f64  min 1, max 3\n"));
}

TEST_CASE("repl pipe: :help, :help NAME and mistyped commands", "[repl]") {
  TempHome home;
  Piped r = run_piped(":help relu\n:help train\n:help\n", home);
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(has(r.out, "relu(x)  [activation]\n"));
  // The example is run, so its shown result is the real one.
  CHECK(has(r.out, "example:\n  > relu(linspace(-2, 2, 5))\n  [0, 0, 0, 1, 2]\n"));
  CHECK(has(r.out, "train LOSS with OPTIMIZER for N steps"));
  CHECK(has(r.out, "commands\n"));
  CHECK(has(r.out, ":vars"));

  Piped bad = run_piped(":hlep\n:help relux\n:time maybe\n", home);
  CHECK(has(bad.err,
            "<repl>:1:1: error: unknown command ':hlep'; did you mean ':help'?\n    :hlep\n    ^~~~~\n"));
  CHECK(has(bad.err, "error: no help for 'relux'; did you mean 'relu'?"));
  CHECK(has(bad.err, "error: ':time' takes 'on' or 'off', not 'maybe'"));
  CHECK(bad.status == 70);
}

TEST_CASE("repl pipe: :help plot lists every `with` option plot takes, :help trace its flags", "[repl]") {
  TempHome home;
  // The options plot itself accepts, from its own error for an unknown one.
  Piped bad = run_piped("plot [1, 2] with nosuch=1\n", home);
  const std::size_t at = bad.err.find("(options: ");
  REQUIRE(at != std::string::npos);
  const std::string list = bad.err.substr(at + 10, bad.err.find(')', at) - at - 10);
  Piped r = run_piped(":help plot\n:help trace\n", home);
  INFO(r.out << r.err);
  std::size_t options = 0;
  for (std::size_t i = 0; i < list.size();) {
    std::size_t end = list.find(", ", i);
    if (end == std::string::npos) end = list.size();
    const std::string name = list.substr(i, end - i);
    INFO(name);
    CHECK(has(r.out.substr(0, r.out.find("trace Y")), name));
    ++options;
    i = end + 2;
  }
  CHECK(options >= 14);
  CHECK(has(r.out, "trace Y [check] [full] [to PATH]"));
}

TEST_CASE("repl pipe: :grad, :trace, :time", "[repl]") {
  TempHome home;
  // l = (w - 3)^2 at w = 0.5: dl/dw = 2 (w - 3) = -5.
  Piped r = run_piped(
      "param w = 0.5\nparam unused = 1\nlet l = (w - 3)^2\n:grad l\n:trace l\n:time on\nw + 1\n", home);
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(has(r.out, "dl/dw = -5\n"));
  CHECK_FALSE(has(r.out, "dl/dunused"));  // only the params l depends on
  CHECK(has(r.out, "%0"));                // the trace, one node a line
  CHECK(has(r.out, "timing on\n1.5\ntime "));

  // Without wrt an expression works too: every param it depends on.
  Piped expr = run_piped("param w = 0.5\n:grad (w - 3)^2 * 2\n", home);
  INFO(expr.out << expr.err);
  CHECK(has(expr.out, "d((w - 3)^2 * 2)/dw = -10\n"));

  Piped bad = run_piped("let k = 3\n:grad k\n:grad\n:grad k + 1\n", home);
  CHECK(has(bad.err, "error: grad needs a tensor target, got a number"));
  CHECK(has(bad.err, "error: ':grad' needs a target"));
  // An error in the target is placed where it was typed: column 7 of `:grad nope`.
  Piped placed = run_piped(":grad nope\n:trace  nope\n", home);
  CHECK(has(placed.err, "<repl>:1:7: error: unknown name 'nope'"));
  CHECK(has(placed.err, "<repl>:2:9: error: unknown name 'nope'"));
}

TEST_CASE("repl pipe: :save, :reset and :load", "[repl]") {
  TempHome home;
  { std::ofstream(home.path / "lib.hinge") << "param b = 7\ndef g(x) = x + b\n"; }
  Piped r = run_piped(
      "param w = 0.25\n:save model.ckpt\n:reset\n:vars\nw\nload \"model.ckpt\"\nw * 4\n:load "
      "lib.hinge\ng(1)\n:quit\n"
      "relu(-5)\n",
      home);
  INFO(r.out << r.err);
  CHECK(has(r.out, "saved w to model.ckpt\n"));
  CHECK(has(r.out, "a fresh session"));
  CHECK(has(r.out, "no names bound yet\n"));
  CHECK(has(r.err, "unknown name 'w'"));  // :reset dropped it
  CHECK(has(r.out, "\n1\n"));             // w * 4 after loading the checkpoint
  CHECK(has(r.out, "loaded lib.hinge: new names b, g\n8\n"));
  CHECK_FALSE(has(r.out, "\n0\n"));  // nothing after :quit runs
  CHECK(r.status == 70);             // the unknown 'w' after :reset
}

TEST_CASE("repl pipe: :load tells a checkpoint from a script by its first bytes", "[repl]") {
  TempHome home;
  // Before, :load ran the checkpoint as a script and printed its binary as a
  // syntax error.
  Piped r = run_piped(
      "param w = 2\nlet y = w * 3\n:save s.ckpt\nw = 5\n:load s.ckpt\nprint w, y\n"
      ":reset\n:load s.ckpt\nprint w\n"
      ":reset\nparam w = [1, 2]\n:load s.ckpt\nprint w\n",
      home);
  INFO(r.out << r.err);
  CHECK(has(r.out, "saved w to s.ckpt\nw = 5 (param)\nloaded w [] from s.ckpt\n2 6\n"));
  // A fresh session gets the param; another model's session is refused, unchanged.
  CHECK(has(r.out, "every name is gone\nloaded w [] from s.ckpt\n2\n"));
  CHECK(has(r.err, "<repl>:12:7: error: 'w' has shape [] in s.ckpt but [2] here;"));
  CHECK(has(r.err, "    :load s.ckpt\n          ^~~~~~\n"));
  CHECK(has(r.out, "[1, 2]\n"));
  for (const std::string& shown : {r.out, r.err}) {
    CHECK_FALSE(has(shown, std::string(hinge::kCheckpointMagic)));
    CHECK(shown.find('\0') == std::string::npos);
  }
  CHECK(r.status == 70);  // the refused load
  // A script runs whatever its name, but for a checkpoint's: a .ckpt file is data.
  { std::ofstream(home.path / "lib.txt") << "param b = 7\n"; }
  Piped script = run_piped(":load lib.txt\nb + 1\n", home);
  INFO(script.out << script.err);
  CHECK(has(script.out, "loaded lib.txt: new names b\n8\n"));
  CHECK(script.status == 0);
  { std::ofstream(home.path / "lib.ckpt") << "plot [1, 2]: [1, 2] to \"ran.svg\"\nparam b = 7\n"; }
  Piped data = run_piped(":load lib.ckpt\nb + 1\n", home);
  INFO(data.out << data.err);
  CHECK(has(data.err, "lib.ckpt is named as a checkpoint but is not one"));
  CHECK(has(data.err, "unknown name 'b'"));
  CHECK_FALSE(fs::exists(home.path / "ran.svg"));
  CHECK(data.status == 70);
  // Whatever the case of its extension.
  { std::ofstream(home.path / "lib.CKPT") << "plot [1, 2]: [1, 2] to \"ran.svg\"\n"; }
  Piped upper = run_piped(":load lib.CKPT\n", home);
  INFO(upper.out << upper.err);
  CHECK(has(upper.err, "lib.CKPT is named as a checkpoint but is not one"));
  CHECK_FALSE(fs::exists(home.path / "ran.svg"));
  // The "loaded" line echoes the script's path escaped: a file name may hold ESC.
  { std::ofstream(home.path / "l\x1b[2Jib.hinge") << "param c = 3\n"; }
  Piped odd = run_piped(":load l\x1b[2Jib.hinge\nc + 1\n", home);
  INFO(odd.out << odd.err);
  CHECK(has(odd.out, "loaded l\\x1b[2Jib.hinge: new names c\n4\n"));
  CHECK(odd.out.find('\x1b') == std::string::npos);
  CHECK(odd.status == 0);
}

TEST_CASE("repl pipe: :save takes its path literally and builds no source text", "[repl]") {
  TempHome home;
  Piped r = run_piped("param w = 0.25\n:save \"m{1+1}.ckpt\"\n:save n{2}.ckpt\n", home);
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(fs::exists(home.path / "m{1+1}.ckpt"));  // braces are not interpolated
  CHECK(fs::exists(home.path / "n{2}.ckpt"));
  CHECK_FALSE(fs::exists(home.path / "m2.ckpt"));
  CHECK(hinge::load_checkpoint((home.path / "m{1+1}.ckpt").string())[0].values()[0] == 0.25);
  CHECK(has(r.out, "saved w to m{1+1}.ckpt\n"));
}

TEST_CASE("repl pipe: a checkpoint's tensor name never runs as code through load and :save", "[repl]") {
  TempHome home;
  // Were the name pasted into `save <names> to "<path>"`, it would write side.ckpt and
  // import evil.hinge, which leaves a marker.
  { std::ofstream(home.path / "evil.hinge") << "param m = 1\nsave m to \"marker.ckpt\"\n"; }
  const std::string evil = "pi to \"side.ckpt\"; import \"evil.hinge\" #";
  hinge::Graph g;
  hinge::save_checkpoint((home.path / "hostile.ckpt").string(), {hinge::NamedTensor{evil, g.param(1.0)}});
  Piped r = run_piped("param w = 0.5\nload \"hostile.ckpt\"\n:save out.ckpt\n", home);
  INFO(r.out << r.err);
  CHECK(has(r.err, "tensor 1 of the checkpoint is named 'pi to \"side.ckpt\"; import \"evil.hinge\" #'"));
  CHECK(r.status == 70);
  CHECK_FALSE(fs::exists(home.path / "side.ckpt"));
  CHECK_FALSE(fs::exists(home.path / "marker.ckpt"));
  // Nothing was bound: out.ckpt holds w alone.
  const auto saved = hinge::load_checkpoint((home.path / "out.ckpt").string());
  REQUIRE(saved.size() == 1);
  CHECK(saved[0].name == "w");
}

TEST_CASE("repl pipe: Ctrl-C during train stops the piped session with status 130", "[repl]") {
  TempHome home;
  // A train of many minutes (a thousand-element param), stopped after a second.
  Piped r = run_piped(
      "param w = zeros([1000])\nlet l = sum((w - 3)^2)\n"
      "train l with sgd(lr=0.0000001) for 100000000 steps\nprint \"next entry ran\"\n",
      home, 60000, 1000);
  INFO(r.out << r.err);
  CHECK(has(r.out, "interrupted"));
  CHECK_FALSE(has(r.out, "next entry ran"));  // the entries after the interrupted one do not run
  CHECK(r.status == 130);
}

TEST_CASE("repl pipe: errors name the line of the whole input", "[repl]") {
  TempHome home;
  Piped r = run_piped("let a = 1\nfoo\ndef f(x) {\n  return x +\n    bar\n}\nf(1)\n:nope\n", home);
  INFO(r.err);
  CHECK(has(r.err, "<repl>:2:1: error: unknown name 'foo'"));
  CHECK(has(r.err, "<repl>:5:5: error: unknown name 'bar'"));  // inside the entry of lines 3-6
  CHECK(has(r.err, "<repl>:8:1: error: unknown command ':nope'"));
  CHECK(r.status == 70);
}

TEST_CASE("repl pipe: a NUL is an error in its line; the next entry still runs", "[repl]") {
  TempHome home;
  Piped r = run_piped(std::string("let a = 1\0 + 2\nprint 5\n", 23), home);  // the NUL and 22 more
  INFO(r.err);
  CHECK(has(r.err, "<repl>:1:10: error: unexpected character '\\x00'"));
  CHECK(r.out == "5\n");  // not merged with the NUL's line
  CHECK(r.status == 70);
}

TEST_CASE("repl pipe: _ is the last printed value", "[repl]") {
  TempHome home;
  Piped r = run_piped("2 + 3\n_ * 10\nlet k = 7\n_\nprint 100\n_ + 1\n", home);
  INFO(r.err);
  // `let` and `print` show text but do not set `_`, as in Python.
  CHECK(r.out == "5\n50\nk = 7\n50\n100\n51\n");
  CHECK(r.status == 0);
}

TEST_CASE("repl pipe: help, quit and exit without the colon", "[repl]") {
  TempHome home;
  Piped h = run_piped("help\nhelp relu\nhelp(\"sigmoid\")\nquit\nprint 1\n", home);
  INFO(h.out << h.err);
  CHECK(has(h.out, "commands\n"));
  CHECK(has(h.out, "relu(x)  [activation]\n"));
  CHECK(has(h.out, "sigmoid(x)"));
  CHECK_FALSE(has(h.out, "\n1\n"));  // quit ended the session
  CHECK(h.err.empty());
  CHECK(h.status == 0);

  Piped e = run_piped("exit()\nprint 1\n", home);
  CHECK(e.out.empty());
  CHECK(e.status == 0);

  // A bound name of the same spelling is a name; `help + 1` is an expression.
  Piped bound = run_piped("let exit = 4\nexit\nhelp + 1\n", home);
  CHECK(bound.out == "exit = 4\n4\n");
  CHECK(has(bound.err, "unknown name 'help'"));
}

// ---------------------------------------------------------------- terminal tests

TEST_CASE("repl terminal: prompt, continuation, completion, Ctrl-C, Ctrl-D", "[repl]") {
  TempHome home;
  Terminal t(home);
  REQUIRE(t.wait_line(">"));
  CHECK(has(t.text(), ":help"));  // the banner says where help is

  t.send("let x = (1 +\r");
  REQUIRE(t.wait_line("..."));
  t.send("2)\r");
  REQUIRE(t.wait_text("x = 3\n"));
  REQUIRE(t.wait_prompts(2));

  // Tab completes a builtin to its call (`lin` alone is also the plot kind `line`).
  t.send("lins\t");
  REQUIRE(t.wait_line("> linspace("));
  t.send("-1, 1, 3)\r");
  REQUIRE(t.wait_text("[-1, 0, 1]\n"));
  REQUIRE(t.wait_prompts(3));

  // Tab completes a bound name too.
  t.send("let longname = 5\r");
  REQUIRE(t.wait_prompts(4));
  t.send("longn\t");
  REQUIRE(t.wait_line("> longname"));
  t.send("\r");
  REQUIRE(t.wait_text("> longname\n5\n"));
  REQUIRE(t.wait_prompts(5));

  // Ctrl-C at the prompt discards the line; the session goes on.
  t.send("garbage here");
  REQUIRE(t.wait_line("> garbage here"));
  t.send("\x03");
  REQUIRE(t.wait_prompts(6));
  // The history keeps the discarded line, to recall and finish.
  t.send("\x1b[A");  // Up
  REQUIRE(t.wait_line("> garbage here"));
  t.send("\x03");
  REQUIRE(t.wait_prompts(7));
  t.send("x\r");
  REQUIRE(t.wait_text("> x\n3\n"));
  CHECK_FALSE(has(t.text(), "unknown name 'garbage'"));

  // Ctrl-C on a continuation line abandons the whole entry.
  t.send("let q = [1,\r");
  REQUIRE(t.wait_line("..."));
  t.send("\x03");
  REQUIRE(t.wait_prompts(9));
  t.send("q\r");
  REQUIRE(t.wait_text("unknown name 'q'"));
  REQUIRE(t.wait_prompt());

  t.send("\x04");
  CHECK(t.wait_exit() == 0);
}

TEST_CASE("repl terminal: Ctrl-C stops a long train and keeps the params", "[repl]") {
  TempHome home;
  Terminal t(home);
  REQUIRE(t.wait_line(">"));
  t.send("param w = 0.5\r");
  t.send("let l = (w - 3)^2\r");
  REQUIRE(t.wait_text("l = 6.25"));
  t.send("train l with sgd(lr=0.0000001) for 100000000 steps\r");
  // Wait until training is under way (the progress bar draws), then interrupt.
  REQUIRE(t.wait_text("steps/s", 20000));
  t.send("\x03");
  REQUIRE(t.wait_text("interrupted", 20000));
  REQUIRE(t.wait_prompt());
  t.send("w\r");
  // w moved from 0.5 toward 3 and the session still answers.
  REQUIRE(t.wait_for([](const Screen& s) {
    const auto lines = s.lines();
    for (std::size_t i = 0; i + 1 < lines.size(); ++i)
      if (lines[i] == "> w" && !lines[i + 1].empty()) return true;
    return false;
  }));
  const std::string text = t.text();
  const std::size_t at = text.rfind("> w\n");
  REQUIRE(at != std::string::npos);
  const double w = std::atof(text.c_str() + at + 4);
  CHECK(w > 0.5);
  CHECK(w < 3);
  REQUIRE(t.wait_prompt());
  t.send(":quit\r");
  CHECK(t.wait_exit() == 0);
}

TEST_CASE("repl terminal: :save and :load round-trip the params; no binary reaches the screen", "[repl]") {
  TempHome home;
  Terminal t(home);
  REQUIRE(t.wait_line(">"));
  t.send("param w = 2\r");
  REQUIRE(t.wait_prompts(2));
  t.send(":save s.ckpt\r");
  REQUIRE(t.wait_text("saved w to s.ckpt\n"));
  REQUIRE(t.wait_prompts(3));
  t.send("w = 5\r");
  REQUIRE(t.wait_prompts(4));
  t.send(":load s.ckpt\r");
  REQUIRE(t.wait_text("loaded w [] from s.ckpt\n"));
  REQUIRE(t.wait_prompts(5));
  t.send("print w\r");
  REQUIRE(t.wait_text("> print w\n2\n"));
  REQUIRE(t.wait_prompt());
  CHECK_FALSE(has(t.raw(), std::string(hinge::kCheckpointMagic)));
  CHECK_FALSE(has(t.text(), "error"));
  t.send(":quit\r");
  CHECK(t.wait_exit() == 0);
}

TEST_CASE("repl terminal: Up recalls a multi-line entry whole", "[repl]") {
  TempHome home;
  Terminal t(home);
  REQUIRE(t.wait_line(">"));
  t.send("def g(x) {\r");
  REQUIRE(t.wait_line("..."));
  t.send("  return x * 2\r");
  REQUIRE(t.wait_line("..."));
  t.send("}\r");
  REQUIRE(t.wait_prompts(2));
  t.send("\x1b[A");  // Up: the whole definition, not its last line
  REQUIRE(t.wait_text("> def g(x) {\n  return x * 2\n}"));
  t.send("\r");
  REQUIRE(t.wait_prompts(3));
  t.send("g(21)\r");
  REQUIRE(t.wait_text("> g(21)\n42\n"));
  REQUIRE(t.wait_prompt());
  t.send("\x04");
  REQUIRE(t.wait_exit() == 0);
  // The history file keeps it as one item (libedit encodes the newlines).
  std::ifstream f(home.history());
  std::string line, items;
  while (std::getline(f, line)) items += line + "|";
  CHECK(has(items, "|def\\040g(x)\\040{\\012"));
  CHECK_FALSE(has(items, "|}|"));  // no item of its own for the last line
}

TEST_CASE("repl terminal: Ctrl-D in an unfinished block cancels it and keeps the session", "[repl]") {
  TempHome home;
  Terminal t(home);
  REQUIRE(t.wait_line(">"));
  t.send("let kept = 5\r");
  REQUIRE(t.wait_prompts(2));
  t.send("def g(x) {\r");
  REQUIRE(t.wait_line("..."));
  t.send("\x04");
  REQUIRE(t.wait_text("the unfinished entry was dropped"));
  REQUIRE(t.wait_prompt());
  CHECK_FALSE(has(t.text(), "never closed"));
  t.send("kept + 1\r");
  REQUIRE(t.wait_text("> kept + 1\n6\n"));
  REQUIRE(t.wait_prompt());
  t.send("\x04");  // at an empty prompt: quits
  CHECK(t.wait_exit() == 0);
}

TEST_CASE("repl terminal: Ctrl-C in a long loop says where it stopped, on a line of its own", "[repl]") {
  TempHome home;
  Terminal t(home);
  REQUIRE(t.wait_line(">"));
  t.send("let s = 0\r");
  REQUIRE(t.wait_prompts(2));
  t.send("for i in range(100000000) { s = s + i }\r");
  REQUIRE(t.wait_line(""));  // running: the cursor is on the line after the entry
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  t.send("\x03");
  REQUIRE(t.wait_text("error: interrupted", 20000));
  REQUIRE(t.wait_prompt());
  const std::vector<std::string> lines = Screen(t.screen()).lines();
  std::size_t at = 0;
  while (at < lines.size() && lines[at].find("error: interrupted") == std::string::npos) ++at;
  REQUIRE(at + 2 < lines.size());
  CHECK(lines[at].rfind("<repl>:1:", 0) == 0);  // starts its own line (not after the ^C)
  CHECK(lines[at + 1] == "    for i in range(100000000) { s = s + i }");
  CHECK(lines[at + 2].find('^') != std::string::npos);
  t.send("s > 0\r");
  REQUIRE(t.wait_text("> s > 0\ntrue\n"));
  REQUIRE(t.wait_prompt());
  t.send("\x04");
  CHECK(t.wait_exit() == 0);
}

TEST_CASE("repl terminal: plots in colour unless NO_COLOR is set", "[repl][plot]") {
  for (const bool no_color : {false, true}) {
    TempHome home;
    Terminal t(home, no_color ? std::vector<std::string>{"NO_COLOR=1"} : std::vector<std::string>{});
    REQUIRE(t.wait_line(">"));
    t.send("let xs = linspace(0, 1, 30)\r");
    REQUIRE(t.wait_prompts(2));
    t.send("plot xs: xs as \"up\", 1 - xs as \"down\"\r");
    REQUIRE(t.wait_text("+ down"));
    REQUIRE(t.wait_prompt());
    INFO("NO_COLOR " << (no_color ? "set" : "unset") << "; bytes: " << escaped(t.raw()));
    CHECK(has(t.raw(), "\x1b[34m* up\x1b[0m") == !no_color);
    CHECK(has(t.raw(), "\x1b[31m") == !no_color);
    CHECK(has(t.text(), "* up  + down"));  // the markers tell the series apart either way
    t.send("\x04");
    CHECK(t.wait_exit() == 0);
  }
}

TEST_CASE("repl terminal: a scatter shows classes and a region map draws", "[repl][plot]") {
  TempHome home;
  Terminal t(home);
  REQUIRE(t.wait_line(">"));
  t.send("let d = moons(40)\r");
  REQUIRE(t.wait_prompts(2));
  t.send("plot scatter d[0]: d[1]\r");
  REQUIRE(t.wait_text("o class 0  x class 1"));
  REQUIRE(t.wait_prompt());
  t.send("def h(X) = X @ [[1, 0], [0, 1]]\r");
  REQUIRE(t.wait_prompts(4));
  t.send("plot regions h: d[0], d[1]\r");
  REQUIRE(t.wait_text("regions, one letter each"));
  REQUIRE(t.wait_prompt());
  const std::string text = t.text();
  CHECK(has(text, "4 regions on a 100x100 grid"));
  CHECK(has(text, "aaaa"));  // the map itself, not only its count
  t.send("\x04");
  CHECK(t.wait_exit() == 0);
}

TEST_CASE("repl terminal: a trace fits the terminal's width; full shows everything", "[repl][trace]") {
  TempHome home;
  Terminal t(home, {}, 80);
  REQUIRE(t.wait_line(">"));
  t.send("let d = moons(20)\r");
  REQUIRE(t.wait_prompts(2));
  t.send("param W = normal([2, 8])\r");
  REQUIRE(t.wait_prompts(3));
  t.send("param V = normal([8, 1])\r");
  REQUIRE(t.wait_prompts(4));
  t.send("let loss = mean((relu(d[0] @ W) @ V - col(d[1]))^2)\r");
  REQUIRE(t.wait_prompts(5));
  t.send("trace loss\r");
  REQUIRE(t.wait_text("layers ("));
  REQUIRE(t.wait_prompt());
  std::vector<std::string> lines = t.screen().lines();
  std::size_t rows = 0, folded = 0;
  for (const std::string& l : lines) {
    if (l.rfind("layers (", 0) == 0) break;  // the layer table follows
    if (l.rfind('%', 0) == 0) ++rows;
    if (l.rfind("      grad=", 0) == 0) ++folded;  // the gradient moved to a line of its own
    INFO(l);
    CHECK(l.size() <= 80);
  }
  CHECK(rows >= 8);
  CHECK(folded >= 4);
  t.send("trace loss full\r");
  REQUIRE(t.wait_prompts(7));
  lines = t.screen().lines();
  std::size_t longest = 0;
  for (const std::string& l : lines) longest = std::max(longest, l.size());
  CHECK(longest > 80);  // full: nothing cut or folded
  t.send("\x04");
  CHECK(t.wait_exit() == 0);
}

TEST_CASE("repl terminal: history is written and recalled in the next session", "[repl]") {
  TempHome home;
  {
    Terminal t(home);
    REQUIRE(t.wait_line(">"));
    t.send("let remembered = 41 + 1\r");
    REQUIRE(t.wait_text("remembered = 42"));
    REQUIRE(t.wait_prompt());
    t.send("\x04");
    REQUIRE(t.wait_exit() == 0);
  }
  REQUIRE(fs::exists(home.history()));
  {
    Terminal t(home);
    REQUIRE(t.wait_line(">"));
    t.send("\x1b[A");  // Up
    REQUIRE(t.wait_line("> let remembered = 41 + 1"));
    t.send("\r");
    REQUIRE(t.wait_text("remembered = 42"));
    REQUIRE(t.wait_prompt());
    t.send("\x04");
    CHECK(t.wait_exit() == 0);
  }
}

TEST_CASE("repl terminal: an unwritable history file is a warning", "[repl]") {
  TempHome home;
  // A file where the state directory should be: nothing can be created under it.
  fs::create_directories(home.state());
  std::ofstream(home.state() / "hinge") << "not a directory";
  Terminal t(home);
  REQUIRE(t.wait_line(">"));
  t.send("1 + 1\r");
  REQUIRE(t.wait_text("warning: cannot keep the history: "));
  REQUIRE(t.wait_text("\n2\n"));
  REQUIRE(t.wait_prompt());
  t.send("\x04");
  CHECK(t.wait_exit() == 0);
}

TEST_CASE("repl terminal: the history file is replaced as every file hinge writes", "[repl]") {
  TempHome home;
  fs::create_directories(home.history().parent_path());
  auto session = [&](const std::string& expect_warning) {
    Terminal t(home);
    REQUIRE(t.wait_line(">"));  // a FIFO at the history's place kept the prompt away
    t.send("let remembered = 41 + 1\r");
    REQUIRE(t.wait_text("remembered = 42"));
    if (!expect_warning.empty()) REQUIRE(t.wait_text(expect_warning));
    REQUIRE(t.wait_prompt());
    t.send("\x04");
    CHECK(t.wait_exit() == 0);
  };
  auto text_of = [](const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  SECTION("a new history file is private") {
    session("");
    CHECK((fs::status(home.history()).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(text_of(home.history()).find("remembered") != std::string::npos);
    for (const auto& e : fs::directory_iterator(home.path))
      CHECK(e.path().filename().string().rfind("hinge-history-", 0) != 0);
  }
  SECTION("a symlink stays a link, and the file it names gets the history, its mode kept") {
    std::ofstream(home.path / "kept") << "";
    fs::permissions(home.path / "kept",
                    fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
    fs::create_symlink(home.path / "kept", home.history());
    session("");
    CHECK(fs::is_symlink(home.history()));
    CHECK(text_of(home.path / "kept").find("remembered") != std::string::npos);
    CHECK((fs::status(home.path / "kept").permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read));
  }
  SECTION("a file with two hard links is left whole") {
    std::ofstream(home.history()) << "mine";
    fs::create_hard_link(home.history(), home.path / "other");
    session("has 2 hard links");
    CHECK(text_of(home.path / "other") == "mine");
    CHECK(fs::hard_link_count(home.history()) == 2);
  }
  SECTION("a FIFO is neither read nor written") {
    REQUIRE(::mkfifo(home.history().c_str(), 0600) == 0);
    session("");
    CHECK(fs::is_fifo(home.history()));
  }
}

// ---------------------------------------------------------------- completion

TEST_CASE("repl completion: names, builtins, keywords and commands", "[repl]") {
  using hinge::lang::complete_word;
  const std::vector<std::string> names = {"linear_w", "loss"};
  auto words = [&](std::string_view line) {
    std::size_t start = line.find_last_of(hinge::lang::kCompletionBreaks);
    start = start == std::string_view::npos ? 0 : start + 1;
    return complete_word(line, start, line.size(), names).words;
  };
  auto contains = [](const std::vector<std::string>& v, const std::string& w) {
    return std::find(v.begin(), v.end(), w) != v.end();
  };
  CHECK(words("lins") == std::vector<std::string>{"linspace("});
  CHECK(contains(words("lin"), "linear_w"));
  // Every word of the keyword table, and nothing else: `none` is no keyword.
  for (const char* w : {"line", "full", "log", "steps", "wrt"}) CHECK(contains(words(w), w));
  CHECK(!contains(words("no"), "none"));
  CHECK(contains(words("let y = relu(los"), "loss"));
  CHECK(contains(words("tra"), "train"));
  for (const char* w : {"param", "pattern", "pi", "plot", "print"}) CHECK(contains(words("p"), w));
  CHECK(words(":he") == std::vector<std::string>{":help"});
  CHECK(words(":help sigm") == std::vector<std::string>{"sigmoid"});
  CHECK(words(":time o") == std::vector<std::string>{"off", "on"});
  CHECK(words(":grad lo") == std::vector<std::string>{"loss"});
  CHECK(complete_word(":load ex", 6, 8, names).files);
  CHECK(words("zzz").empty());
}

TEST_CASE("repl pipe: a long entry runs as one, and an error inside its open block is found at its line",
          "[repl]") {
  // Above 4 KiB an open entry is parsed whole only as it grows by a quarter (Note
  // [A long entry grows]): the answers stay those of a parse after every line.
  TempHome home;
  std::string block = "def f(x) {\n";
  for (int k = 0; k < 3000; ++k) block += "  let y = " + std::to_string(k) + "\n";
  Piped ok = run_piped(block + "  return x + 1\n}\nprint f(41)\n", home);
  INFO(ok.err);
  CHECK(ok.status == 0);
  CHECK(has(ok.out, "42\n"));
  std::string bad = "def g(x) {\n";
  for (int k = 0; k < 2000; ++k) bad += "  let y = " + std::to_string(k) + "\n";
  bad += "  let = 3\n";
  for (int k = 0; k < 500; ++k) bad += "  let z = 1\n";
  Piped err = run_piped(bad + "}\nprint 5\n", home);
  INFO(err.err);
  CHECK(has(err.err, "<repl>:2002:7: error: expected a name after 'let'"));
  CHECK(has(err.out, "5\n"));  // the session goes on
}
