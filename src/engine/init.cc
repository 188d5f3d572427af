// `strata init`: a commented strata.toml, db/migration with its strata.sum, and the next steps;
// another tool's history found here is named with the import command that brings it along.
// Everything is checked before anything is written, and no file is ever overwritten.
#include "strata/authoring.h"

#include "base/file.h"
#include "base/redact.h"
#include "base/text.h"
#include "config/config.h"
#include "migrate/detect.h"
#include "migrate/discovery.h"
#include "migrate/sumfile.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

namespace strata {

namespace fs = std::filesystem;

namespace {

// Creates `path` with `bytes`; fails when it exists (O_EXCL: never overwrites).
Status CreateNew(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status(ErrorCode::kIo, fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s(ErrorCode::kIo, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
      ::close(fd);
      ::unlink(path.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status(ErrorCode::kIo, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  return Status::Ok();
}

// `url` without its password: the userinfo password and `password=` query parameters. Empty
// when a password remains in some other form (the caller then writes no url at all).
std::string WithoutPassword(const std::string& url, bool* dropped) {
  *dropped = false;
  if (base::RedactUrl(url) == url) return url;
  *dropped = true;
  std::string u = url;
  size_t scheme = u.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t at = u.find('@', start);
    size_t slash = u.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      size_t colon = u.find(':', start);
      if (colon != std::string::npos && colon < at) u.erase(colon, at - colon);
    }
  }
  size_t q = u.find('?');
  if (q != std::string::npos) {
    std::string query = u.substr(q + 1), kept;
    u.resize(q);
    size_t pos = 0;
    while (pos <= query.size()) {
      size_t amp = query.find('&', pos);
      std::string part =
          query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
      std::string key = base::ToLower(base::PercentDecode(part.substr(0, part.find('='))));
      if (!part.empty() && !key.ends_with("password")) kept += (kept.empty() ? "" : "&") + part;
      if (amp == std::string::npos) break;
      pos = amp + 1;
    }
    if (!kept.empty()) u += "?" + kept;
  }
  return base::RedactUrl(u) == u ? u : std::string();
}

std::string DatabaseNameFor(const fs::path& dir) {
  std::string base = fs::absolute(dir).lexically_normal().filename().string();
  if (base.empty()) base = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  std::string out;
  for (char c : base) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() || std::isdigit(static_cast<unsigned char>(out[0])) ? "app" : out;
}

std::string TomlString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string RenderToml(const std::string& dialect, const std::string& url_line) {
  const bool pg = dialect == "postgres";
  std::string t;
  t +=
      "# strata.toml, written by `strata init`. Every key is described in docs/settings.md; each\n";
  t +=
      "# can also come from the environment as STRATA_<SECTION>_<KEY> (STRATA_MIGRATE_LOCK_WAIT)\n";
  t += "# and the common ones from flags (--url, --locations, --lock-wait). Flag > env > file.\n\n";
  t +=
      "# The database. STRATA_URL, DATABASE_URL or --url override it. Keep passwords out of this\n";
  t += "# file: in STRATA_URL, PGPASSWORD or ~/.pgpass.\n";
  t += url_line + "\n\n";
  t += "# Migration directories, relative to this file: V<version>__<description>.sql and\n";
  t += "# R__<description>.sql files, each directory with its strata.sum (`strata hash`).\n";
  t += "locations = [\"db/migration\"]\n\n";
  t += "[migrate]\n";
  t += "# How long to wait for another runner's migration lock.\n";
  t += "lock_wait = \"60s\"\n";
  t += "# PostgreSQL lock_timeout for each migration statement, and the retries after one.\n";
  t += "lock_timeout = \"5s\"\n";
  t += "lock_retries = 5\n";
  t += "# Refuse to run unless strata.sum matches the migration files.\n";
  t += "require_sum = true\n";
  t += "# Run the analyzer (strata lint) on pending migrations before applying them.\n";
  t += "lint_gate = true\n";
  t += "# Allow applying a pending migration older than the newest applied one.\n";
  t += "# out_of_order = false\n";
  t += "# PostgreSQL statement_timeout for migration statements (none by default).\n";
  t += "# statement_timeout = \"15min\"\n\n";
  t += "[lint]\n";
  t += "# migrate refuses pending migrations with findings at or above this (info, warning, "
       "error).\n";
  t += "gate = \"error\"\n";
  t += "# The PostgreSQL version to judge against when no live database is given.\n";
  t += pg ? "pg_version = 15\n\n" : "# pg_version = 15\n\n";
  t += "# ${name} values used in migrations; a table reads the environment and can hide the "
       "value.\n";
  t += "# [placeholders]\n";
  t += "# app_schema = \"public\"\n";
  t += "# app_password = { env = \"APP_PASSWORD\", secret = true }\n";
  return t;
}

}  // namespace

InitResult Init(const InitRequest& request) {
  InitResult res;
  const fs::path dir = request.dir.empty() ? fs::path(".") : fs::path(request.dir);
  res.dir = dir.string();
  auto fail = [&](Status s) {
    res.status = std::move(s);
    return std::move(res);
  };
  // Dialect: asked for, else the url's, else SQLite.
  std::string dialect = request.dialect;
  std::string url_dialect;
  if (!request.url.empty()) {
    url_dialect =
        request.url.rfind("sqlite:", 0) == 0 ? "sqlite"
        : (request.url.rfind("postgres://", 0) == 0 || request.url.rfind("postgresql://", 0) == 0)
            ? "postgres"
            : "";
    if (url_dialect.empty()) {
      return fail(Status(ErrorCode::kUsage,
                         fmt::format("--url '{}' is neither sqlite:<path> nor postgres://...",
                                     base::RedactUrl(request.url)))
                      .WithHint("e.g. --url sqlite:app.db or --url postgres://app@localhost/app"));
    }
  }
  if (dialect.empty()) dialect = url_dialect.empty() ? "sqlite" : url_dialect;
  if (dialect != "sqlite" && dialect != "postgres") {
    return fail(Status(ErrorCode::kUsage,
                       fmt::format("--dialect '{}' is not postgres or sqlite", dialect)));
  }
  if (!url_dialect.empty() && url_dialect != dialect) {
    return fail(Status(ErrorCode::kUsage,
                       fmt::format("--dialect {} but --url is a {} URL", dialect, url_dialect))
                    .WithHint("give one of them, or make them agree"));
  }
  res.dialect = dialect;

  // Check everything before writing anything.
  const fs::path toml = (dir / "strata.toml").lexically_normal();
  const fs::path loc = (dir / "db" / "migration").lexically_normal();
  const fs::path sum = loc / std::string(migrate::kSumFileName);
  std::error_code ec;
  if (fs::exists(toml, ec) || fs::is_symlink(toml, ec)) {
    std::string why;
    auto text = base::ReadFile(toml.string(), &why);
    bool ours = text && config::Parse(*text, toml.string(), dir.string()).ok();
    return fail(
        Status(ErrorCode::kUsage,
               ours ? fmt::format("{} already exists: this directory is already a strata project",
                                  toml.string())
                    : fmt::format("{} already exists and is not a strata configuration strata "
                                  "can read; strata init never overwrites a file",
                                  toml.string()))
            .WithSpan({toml.string(), 0, 0})
            .WithHint(ours ? "create the next migration with `strata new \"<description>\"`, or "
                             "edit strata.toml"
                           : "move that file away, or start the strata project in another "
                             "directory: `strata init --dir <path>` (then --config "
                             "<path>/strata.toml)"));
  }
  if (fs::exists(loc, ec) && !fs::is_directory(loc, ec)) {
    return fail(
        Status(ErrorCode::kUsage, fmt::format("{} exists and is not a directory", loc.string()))
            .WithHint("move it away; strata keeps migrations in that directory"));
  }
  // The url line: given (without its password), or the dialect's starting point.
  std::string url_line;
  if (!request.url.empty()) {
    std::string written = WithoutPassword(request.url, &res.password_dropped);
    if (written.empty()) {
      url_line = "# url = \"...\"   # the given URL holds a password: set it in STRATA_URL";
    } else {
      url_line = "url = " + TomlString(written);
      res.url = written;
    }
  } else if (dialect == "postgres") {
    res.url = fmt::format("postgres://localhost:5432/{}", DatabaseNameFor(dir));
    url_line = "url = " + TomlString(res.url);
  } else {
    res.url = "sqlite:strata.db";
    url_line = "url = \"sqlite:strata.db\"   # relative to this file";
  }
  // Another tool's history here (db/migration is not strata's yet: no strata.toml).
  res.detected = migrate::DetectOtherTools(dir.string());
  // A strata.sum for migration files already in db/migration (Flyway's default location too).
  std::optional<std::string> sum_text;
  if (!fs::exists(sum, ec)) {
    sum_text = migrate::RenderSum({});
    if (fs::is_directory(loc, ec)) {
      Options o;
      o.locations = {loc.string()};
      o.ignore_patterns = {"*.md", "*.txt", "strata.sum", ".*"};
      auto set = migrate::Discover(o);
      if (set) {
        std::vector<const migrate::Migration*> ms;
        for (const auto& m : set->migrations) ms.push_back(&m);
        sum_text = migrate::RenderSum(ms);
      } else {
        sum_text.reset();
        res.warnings.push_back(fmt::format(
            "{} holds files strata cannot read as migrations ({}); import or rename them, then "
            "run `strata hash`",
            loc.string(), set.error().message()));
      }
    }
  }

  // Write.
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) {
      return fail(
          Status(ErrorCode::kIo, fmt::format("cannot create {}: {}", dir.string(), ec.message())));
    }
    res.created.push_back(dir.string());
  }
  if (Status s = CreateNew(toml.string(), RenderToml(dialect, url_line)); !s.ok()) {
    return fail(std::move(s));
  }
  res.created.push_back(toml.string());
  if (fs::is_directory(loc, ec)) {
    res.existing.push_back(loc.string());
  } else {
    fs::create_directories(loc, ec);
    if (ec) {
      return fail(
          Status(ErrorCode::kIo, fmt::format("cannot create {}: {}", loc.string(), ec.message())));
    }
    res.created.push_back(loc.string());
  }
  if (sum_text) {
    if (Status s = CreateNew(sum.string(), *sum_text); !s.ok()) return fail(std::move(s));
    res.created.push_back(sum.string());
  } else if (fs::exists(sum, ec)) {
    res.existing.push_back(sum.string());
  }

  // Next steps.
  std::vector<std::string> steps;
  if (dir != fs::path(".")) steps.push_back(fmt::format("cd {}", dir.string()));
  for (const auto& d : res.detected) steps.push_back(d.import_command);
  if (res.password_dropped) {
    steps.push_back(
        "export STRATA_URL='<the url with its password>'   # not written to strata.toml");
  } else if (dialect == "postgres" && request.url.empty()) {
    steps.push_back("edit `url` in strata.toml, or export STRATA_URL=postgres://user@host/db");
  }
  steps.push_back("strata new \"create first table\"");
  steps.push_back("edit the file it prints: fill in the intent header, write the SQL below it");
  steps.push_back("strata hash");
  steps.push_back("strata migrate");
  steps.push_back("strata info");
  res.next_steps = std::move(steps);
  return res;
}

}  // namespace strata
