// strata evidence [--release <tag> | --since <time> | --run <id>] [--format md|json]
//                 [--sign-key key.pem] [-o file]
// strata evidence verify <file> [--public-key pub.pem]
#include "cli/commands.h"

#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "evidence/render.h"

namespace strata::cli {
namespace {

static VerbRegistrar reg("evidence", [](CLI::App& app, GlobalFlags& g, Registry& r) {
  auto* cmd = app.add_subcommand(
      "evidence", "write an evidence package (Markdown or JSON) with a SHA-256 digest");
  auto req = std::make_shared<EvidenceRequest>();
  auto output = std::make_shared<std::string>();
  cmd->add_option("--release", req->release, "runs after the previous tag up to this tag");
  cmd->add_option("--since", req->since, "runs started at or after this time (ISO-8601)");
  cmd->add_option("--run", req->run_id, "one run id");
  cmd->add_option("--format", req->format, "md (default) or json");
  cmd->add_option("--sign-key", req->sign_key, "PEM file of an Ed25519 private key");
  cmd->add_option("-o,--output", *output, "write the package to this file");

  Examples(cmd, {{"strata evidence --release B -o evidence-B.md", "the evidence of release B"},
                 {"strata evidence verify evidence-B.md", "check its digest"}});
  auto* ver = cmd->add_subcommand("verify", "check a package's digest and signature");
  auto vreq = std::make_shared<EvidenceVerifyRequest>();
  ver->add_option("file", vreq->path, "the package file")->required();
  ver->add_option("--public-key", vreq->public_key, "PEM file of the signer's public key");
  r.commands.emplace_back(ver, [&g, vreq] {
    auto res = VerifyEvidence(*vreq);
    return Finish(g, res.status, evidence::ToJson(res), evidence::ToText(res));
  });
  r.commands.emplace_back(cmd, [&g, req, output, ver] {
    if (ver->parsed()) return 0;  // handled by the verify runner
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto res = Evidence(*opts, *req);
    if (res.status.ok() && !output->empty()) {
      std::ofstream out(*output, std::ios::binary);
      out << res.package;
      if (!out) {
        res.status = Status(ErrorCode::kIo, "cannot write " + *output)
                         .WithHint("check the directory exists and is writable");
      }
    }
    std::string text;
    if (res.status.ok()) {
      text = output->empty()
                 ? res.package
                 : fmt::format("wrote {} ({} run(s), {}{})\n", *output, res.runs, res.digest,
                               res.signed_package ? ", signed " + res.key_fingerprint : "");
    }
    return Finish(g, res.status, evidence::ToJson(res), text);
  });
});

}  // namespace
}  // namespace strata::cli
