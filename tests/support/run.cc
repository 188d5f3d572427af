#include "support/run.h"

#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace strata::testing {

namespace {
std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ExecStrata(const std::vector<std::string>& args, const std::string& cwd,
                const std::map<std::string, std::string>& env) {
  if (chdir(cwd.c_str()) != 0) _exit(126);
  unsetenv("STRATA_URL");
  unsetenv("DATABASE_URL");
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> argv;
  std::string bin = STRATA_BINARY;
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(bin.c_str(), argv.data());
  _exit(127);
}
}  // namespace

RunResult RunStrata(const std::vector<std::string>& args, const std::string& cwd,
                    const std::map<std::string, std::string>& env) {
  char out_t[] = "/tmp/strata-out-XXXXXX";
  char err_t[] = "/tmp/strata-err-XXXXXX";
  int out_fd = mkstemp(out_t);
  int err_fd = mkstemp(err_t);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    ExecStrata(args, cwd, env);
  }
  close(out_fd);
  close(err_fd);
  RunResult r;
  r.exit_code = WaitExit(pid);
  r.out = Slurp(out_t);
  r.err = Slurp(err_t);
  unlink(out_t);
  unlink(err_t);
  return r;
}

RunResult RunStrataOnTty(const std::vector<std::string>& args, const std::string& cwd,
                         int columns) {
  int master = -1;
  struct winsize ws {};
  ws.ws_row = 40;
  ws.ws_col = static_cast<unsigned short>(columns);
  pid_t pid = forkpty(&master, nullptr, nullptr, &ws);
  RunResult r;
  if (pid < 0) return r;
  if (pid == 0) ExecStrata(args, cwd, {});
  char buf[4096];
  for (;;) {
    ssize_t n = read(master, buf, sizeof(buf));
    if (n > 0) {
      r.out.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO once the child has closed the terminal
    }
  }
  close(master);
  r.exit_code = WaitExit(pid);
  return r;
}

int SpawnStrata(const std::vector<std::string>& args, const std::string& cwd,
                const std::string& log_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    ExecStrata(args, cwd, {});
  }
  return pid;
}

int WaitExit(int pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace strata::testing
