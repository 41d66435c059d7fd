// hinge-kernel: the program Jupyter starts for a hinge notebook
// (`hinge-kernel -f CONNECTION_FILE`, from the kernel.json that
// `hinge --install-kernel` writes).
//
// Note [Interrupts in the kernel]
// kernel.json asks for "interrupt_mode": "signal": Jupyter interrupts with SIGINT
// (xeus 2.4 only acknowledges interrupt_request messages). A SIGINT that lands in
// xeus's ZeroMQ poll makes it fail, so SIGINT is blocked in main before xeus starts
// its threads (they, and the interpreter's, inherit the mask), and one thread takes
// it with sigwait. Threads that OpenBLAS started before main cannot be reached that
// way, so SIGINT also gets a handler, for when it lands in one of them (with the
// default action it would end the kernel). Both only set the session's interrupt
// flag, which train and loops poll at step boundaries; a kernel at rest is not
// hurt by one, and jupyter_client sends one before shutting a kernel down.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>
#include <sys/prctl.h>
#include <xeus/xkernel.hpp>
#include <xeus/xkernel_configuration.hpp>
#include <xeus/xserver_shell_main.hpp>
#include <zmq.hpp>

#include "eval/session.hpp"
#include "hinge/atomic_file.hpp"
#include "jupyter/kernel.hpp"

namespace {

constexpr const char* kUsage =
    "usage: hinge-kernel -f CONNECTION_FILE\n"
    "The hinge kernel for Jupyter; `hinge --install-kernel` registers it so that\n"
    "`jupyter notebook` offers hinge notebooks.\n";

extern "C" void on_kernel_sigint(int) { hinge::lang::request_interrupt(); }

// SIGTERM (Jupyter ending a kernel that did not answer shutdown, or the parent
// gone: PR_SET_PDEATHSIG) ends at once, as the default action would, but first
// removes the temporary of a write in progress, as the hinge command does.
extern "C" void on_kernel_sigterm(int) {
  hinge::abandon_atomic_write();
  _exit(143);
}

void take_interrupts(sigset_t set) {
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) == 0 && sig == SIGINT) hinge::lang::request_interrupt();
  }
}

}  // namespace

int main(int argc, char* argv[]) {
  std::string connection_file;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--version") {
      fmt::print("hinge-kernel {}\n", hinge::lang::jupyter::kVersion);
      return 0;
    }
    if (a == "--help" || a == "-h") {
      fmt::print("{}", kUsage);
      return 0;
    }
    if (a == "-f" && i + 1 < argc) {
      connection_file = argv[++i];
      continue;
    }
    fmt::print(stderr, "hinge-kernel: unknown argument '{}'\n{}", a, kUsage);
    return 64;
  }
  if (connection_file.empty()) {
    fmt::print(stderr, "{}", kUsage);
    return 64;
  }
  // The kernel goes when the process that started it goes (no orphans).
  prctl(PR_SET_PDEATHSIG, SIGTERM);

  struct sigaction sa {};
  sa.sa_handler = on_kernel_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);  // also undoes a launcher's "ignore", which would drop it
  sa.sa_handler = on_kernel_sigterm;
  sigaction(SIGTERM, &sa, nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // Note [Interrupts in the kernel]
  std::thread(take_interrupts, set).detach();

  try {
    xeus::xconfiguration config = xeus::load_configuration(connection_file);
    auto interpreter = std::make_unique<hinge::lang::jupyter::Kernel>();
    xeus::xkernel kernel(config, xeus::get_user_name(), xeus::make_context<zmq::context_t>(),
                         std::move(interpreter), xeus::make_xserver_shell_main,
                         xeus::make_in_memory_history_manager(), nullptr, xeus::make_null_debugger,
                         nl::json::object(),
                         // Text that is not valid UTF-8 is sent with replacement characters
                         // rather than failing the message (and leaving the client waiting).
                         nl::json::error_handler_t::replace);
    kernel.start();
  } catch (const std::exception& e) {
    fmt::print(stderr, "hinge-kernel: {}\n", e.what());
    return 1;
  }
  return 0;
}
