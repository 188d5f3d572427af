// Running the strata binary as a user would: arguments, working directory and environment in,
// exit code, stdout and stderr out. Thread-safe (each call forks its own process).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace strata::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::string All() const { return out + err; }
};

// Runs STRATA_BINARY with `args` in `cwd`. `env` entries are added to the environment;
// STRATA_URL and DATABASE_URL are cleared unless given.
RunResult RunStrata(const std::vector<std::string>& args, const std::string& cwd,
                    const std::map<std::string, std::string>& env = {});

// Runs strata under a pseudo-terminal (forkpty): stdin, stdout and stderr are the terminal, so
// isatty() holds and the output is what a user sees (line feeds as \r\n). Returns the exit code
// and everything written to the terminal in `out`. The terminal is `columns` wide, 40 rows.
RunResult RunStrataOnTty(const std::vector<std::string>& args, const std::string& cwd,
                         int columns = 200);

// Starts strata without waiting; returns the pid. Output goes to `log_path`.
int SpawnStrata(const std::vector<std::string>& args, const std::string& cwd,
                const std::string& log_path);
// Waits for a spawned process; returns its exit code, or 128+signal.
int WaitExit(int pid);

}  // namespace strata::testing
