// `strata wait`: connect (retrying what a starting server answers) and run one query, until
// both work or the timeout has passed.
#include "strata/commands.h"

#include "base/duration.h"
#include "base/host.h"
#include "session/session.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

namespace strata {

WaitResult Wait(const Options& options, const WaitRequest& request) {
  WaitResult res;
  auto url = db::ParseUrl(options.url);
  if (!url) {
    res.status = url.status();
    return res;
  }
  res.target = url->redacted;
  url->may_create = false;  // waiting never creates a database
  const std::string app = fmt::format("strata wait pid {} on {}", getpid(), base::HostName());
  const auto start = base::MonotonicMillis();
  auto elapsed = [&] { return base::MonotonicMillis() - start; };
  Status last;
  bool timed_out = false;
  for (;;) {
    auto left =
        std::chrono::milliseconds(std::max<std::int64_t>(request.timeout.count() - elapsed(), 0));
    int attempts = 0;
    auto conn = session::Connect(*url, app, left, &attempts);
    res.attempts += attempts;
    if (conn) {
      // Accepting connections is not yet answering: a server in recovery may still refuse the
      // query, and a connection may drop as the server restarts.
      auto q = (*conn)->Query("SELECT 1");
      if (q) {
        res.waited_ms = elapsed();
        return res;
      }
      last = q.status();
      if (last.code() != ErrorCode::kConnection) break;  // the server answers: with an error
    } else {
      last = conn.status();
      if (!session::IsStartupRefusal(last)) break;  // waiting does not cure it
    }
    if (elapsed() >= request.timeout.count()) {
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::clamp<std::int64_t>(request.timeout.count() - elapsed(), 1, 200)));
  }
  res.waited_ms = elapsed();
  if (!timed_out) {
    res.status = last;  // bad URL, authentication, a missing SQLite file: the error as it came
    return res;
  }
  // The last error without its "cannot connect to <url>: " (the message names the URL once).
  std::string why = last.message();
  if (auto at = why.find(res.target + ": "); at != std::string::npos) {
    why = why.substr(at + res.target.size() + 2);
  }
  res.status =
      Status(ErrorCode::kConnection,
             fmt::format("{} did not accept connections within {} ({} attempts): {}", res.target,
                         base::FormatDuration(request.timeout), res.attempts, why))
          .WithSqlState(last.sqlstate())
          .WithHint("start the server, check the URL's host and port, or raise --timeout");
  return res;
}

}  // namespace strata
