// The kernel's requests: execute (cells as REPL input), complete, inspect,
// is_complete, kernel_info and shutdown. Nothing may escape a request (an
// exception would leave the client without a reply), so each catches everything.
#include "jupyter/kernel.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <xeus/xhelper.hpp>

#include "eval/interpreter.hpp"
#include "hinge/escape.hpp"
#include "jupyter/graphviz.hpp"
#include "repl/complete.hpp"

namespace hinge::lang::jupyter {

namespace {

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// A `:command` line: its first non-blank character is ':'.
bool command_line(std::string_view line) {
  const std::size_t first = line.find_first_not_of(" \t");
  return first != std::string_view::npos && line[first] == ':';
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) {
      if (at < text.size()) lines.push_back(text.substr(at));
      break;
    }
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

// The error reply's ename and evalue from what the session reported on err:
// "In[3]:2:5: error: unknown name 'x'" gives evalue "unknown name 'x'".
std::string error_value(const std::string& report) {
  std::string first = report.substr(0, report.find('\n'));
  const std::size_t at = first.find("error: ");
  if (at != std::string::npos) return first.substr(at + 7);
  return first;
}

const char* error_name(Status s) {
  switch (s) {
    case Status::syntax_error: return "SyntaxError";
    case Status::interrupted: return "Interrupted";
    case Status::cannot_read: return "CannotRead";
    case Status::ok:
    case Status::runtime_error: break;
  }
  return "Error";
}

}  // namespace

std::size_t byte_offset(std::string_view code, int cursor_pos) {
  std::size_t at = 0;
  for (int n = 0; n < cursor_pos && at < code.size(); ++n) {
    ++at;
    while (at < code.size() && (static_cast<unsigned char>(code[at]) & 0xC0) == 0x80) ++at;
  }
  return at;
}

int code_points(std::string_view code, std::size_t offset) {
  int n = 0;
  for (std::size_t i = 0; i < std::min(offset, code.size()); ++i)
    if ((static_cast<unsigned char>(code[i]) & 0xC0) != 0x80) ++n;
  return n;
}

Kernel::Kernel(SessionOptions options) {
  out_sink_ = [this](std::string_view text) {
    if (!text.empty()) publish_stream("stdout", std::string(text));
  };
  // Diagnostics are kept for the error reply; a cell that succeeds shows them on stderr.
  err_sink_ = [this](std::string_view text) { err_text_.append(text); };
  out_ = open_sink_stream(&out_sink_);
  err_ = open_sink_stream(&err_sink_);
  options.out = out_ ? out_ : stdout;
  options.err = err_ ? err_ : stderr;
  options.terminal = false;
  options.display = [this](const Display& d) { show(d); };
  session_ = std::make_unique<Session>(std::move(options));
  state_ = std::make_unique<ReplState>(*session_);
}

Kernel::~Kernel() {
  state_.reset();
  session_.reset();
  if (out_) std::fclose(out_);
  if (err_) std::fclose(err_);
}

void Kernel::show(const Display& d) {
  nl::json data = nl::json::object();
  const std::string* dot = nullptr;
  for (const auto& [mime, content] : d.data) {
    if (mime == kDotMime)
      dot = &content;
    else
      data[mime] = content;
  }
  if (dot) {
    // A trace: its table, then the graph as Graphviz draws it (when installed).
    display_data(std::move(data), nl::json::object(), nl::json::object());
    if (std::optional<std::string> svg = render_dot_svg(*dot))
      display_data(nl::json{{"text/plain", "<graph of the trace>"}, {"image/svg+xml", std::move(*svg)}},
                   nl::json::object(), nl::json::object());
    return;
  }
  if (d.result) {
    publish_execution_result(execution_count_, std::move(data), nl::json::object());
    return;
  }
  nl::json transient = nl::json::object();
  if (!d.id.empty()) transient["display_id"] = fmt::format("hinge-{}-{}", execution_count_, d.id);
  if (d.update)
    update_display_data(std::move(data), nl::json::object(), std::move(transient));
  else
    display_data(std::move(data), nl::json::object(), std::move(transient));
}

Status Kernel::run_cell(const std::string& code, const std::string& name) {
  Status status = Status::ok;
  std::string entry;      // statements gathered since the last command line
  std::size_t first = 0;  // the cell line the entry starts on (0-based)
  auto run_entry = [&]() {
    if (blank(entry)) return Status::ok;
    // Blank lines in front keep the cell's own line numbers in diagnostics.
    const Status s = state_->current().run_entry(std::string(first, '\n') + entry, name);
    entry.clear();
    return s;
  };
  const std::vector<std::string_view> lines = split_lines(code);
  for (std::size_t i = 0; i < lines.size() && status == Status::ok; ++i) {
    if (command_line(lines[i]) && (blank(entry) || !state_->current().is_incomplete(entry))) {
      status = run_entry();
      if (status != Status::ok) break;
      status = run_command(*state_, std::string(lines[i]));
      clear_interrupt();
      if (state_->quit) {
        state_->quit = false;
        fmt::print(state_->current().options().out,
                   "(:quit has no effect in a notebook: restart or shut down the kernel instead)\n");
      }
      continue;
    }
    if (blank(entry)) first = i;
    entry += lines[i];
    entry += '\n';
  }
  if (status == Status::ok) status = run_entry();
  clear_interrupt();  // a Ctrl-C that arrived outside train is spent with its cell
  return status;
}

nl::json Kernel::execute_request_impl(int execution_counter, const std::string& code, bool /*silent*/,
                                      bool /*store_history*/, nl::json /*user_expressions*/,
                                      bool /*allow_stdin*/) {
  execution_count_ = execution_counter;
  err_text_.clear();
  clear_interrupt();  // one sent while the kernel was idle does not stop this cell
  Status status = Status::ok;
  try {
    status = run_cell(code, fmt::format("In[{}]", execution_counter));
  } catch (const std::exception& e) {
    err_text_ += fmt::format("error: internal error: {}\n", terminal_escape(e.what()));
    status = Status::runtime_error;
  } catch (...) {
    err_text_ += "error: internal error\n";
    status = Status::runtime_error;
  }
  std::fflush(state_->current().options().out);
  std::fflush(state_->current().options().err);
  if (status == Status::ok) {
    if (!err_text_.empty()) publish_stream("stderr", err_text_);
    return xeus::create_successful_reply();
  }
  // xeus's create_error_reply swaps ename and evalue: the reply is built here.
  const std::string ename = error_name(status);
  std::string evalue = error_value(err_text_);
  if (evalue.empty() && status == Status::interrupted) evalue = "interrupted";  // train said where
  std::vector<std::string> traceback;
  for (std::string_view line : split_lines(err_text_)) traceback.emplace_back(line);
  if (traceback.empty()) traceback.push_back(ename);
  publish_execution_error(ename, evalue, traceback);
  nl::json reply;
  reply["status"] = "error";
  reply["ename"] = ename;
  reply["evalue"] = evalue;
  reply["traceback"] = traceback;
  return reply;
}

nl::json Kernel::complete_request_impl(const std::string& code, int cursor_pos) {
  try {
    const std::size_t cursor = byte_offset(code, cursor_pos);
    const std::size_t line_start = code.rfind('\n', cursor == 0 ? 0 : cursor - 1);
    const std::size_t begin = (line_start == std::string::npos || cursor == 0) ? 0 : line_start + 1;
    const std::string_view line = std::string_view(code).substr(begin, cursor - begin);
    std::size_t start = line.size();
    while (start > 0 && !std::strchr(kCompletionBreaks, line[start - 1])) --start;
    const std::vector<std::string> names = state_->current().names();
    Completion c = complete_word(line, start, line.size(), names);
    std::vector<std::string> matches = std::move(c.words);
    if (c.files) {
      // A path after :load or :save: the current directory's entries.
      const std::string word(line.substr(start));
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(".", ec)) {
        const std::string n = e.path().filename().string();
        if (n.compare(0, word.size(), word) == 0) matches.push_back(n);
        if (matches.size() >= 200) break;
      }
      std::sort(matches.begin(), matches.end());
    }
    return xeus::create_complete_reply(matches, code_points(code, begin + start), cursor_pos);
  } catch (...) {
    return xeus::create_complete_reply(nl::json::array(), cursor_pos, cursor_pos);
  }
}

nl::json Kernel::inspect_request_impl(const std::string& code, int cursor_pos, int /*detail_level*/) {
  try {
    const std::string text = inspect_text(*state_, code, byte_offset(code, cursor_pos));
    if (text.empty()) return xeus::create_inspect_reply(false);
    return xeus::create_inspect_reply(true, {{"text/plain", text}});
  } catch (...) {
    return xeus::create_inspect_reply(false);
  }
}

nl::json Kernel::is_complete_request_impl(const std::string& code) {
  try {
    if (!blank(code) && state_->current().is_incomplete(code))
      return xeus::create_is_complete_reply("incomplete", "  ");
    return xeus::create_is_complete_reply("complete");
  } catch (...) {
    return xeus::create_is_complete_reply("unknown");
  }
}

nl::json Kernel::kernel_info_request_impl() {
  nl::json reply = xeus::create_info_reply(
      "5.3", "hinge-kernel", kVersion, "hinge", kVersion, "text/x-hinge", ".hinge", "python", "hinge", "",
      fmt::format("hinge {}: reverse-mode autodiff with a small language; :help lists statements, "
                  "commands and builtins",
                  kVersion));
  // Highlighting: hinge has no mode of its own in Jupyter; Python's (comments with #,
  // strings, numbers, def) is the closest one Jupyter ships.
  reply["language_info"]["codemirror_mode"] = "python";
  return reply;
}

void Kernel::shutdown_request_impl() {
  // start() ends the process after this: flush what is left while the streams work.
  std::fflush(out_);
  std::fflush(err_);
}

}  // namespace hinge::lang::jupyter
