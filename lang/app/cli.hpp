// The `hinge` command: options, modes (script, -e, REPL) and exit statuses.
#pragma once

namespace hinge::lang {

// Exit statuses (sysexits.h where one fits; 130 = killed by SIGINT, the shell's way).
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 64,         // bad command line
  kExitBadProgram = 65,    // the script does not parse
  kExitNoInput = 66,       // the script cannot be read
  kExitFailure = 70,       // an error while running
  kExitInterrupted = 130,  // Ctrl-C
};

int cli_main(int argc, char** argv);

}  // namespace hinge::lang
