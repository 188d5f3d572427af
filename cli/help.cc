// The command line's self-description from the CLI11 tree: help, suggestions, completion, man.
#include "cli/help.h"

#include "strata/version.h"

#include "base/file.h"
#include "base/text.h"
#include "cli/commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

namespace strata::cli {
namespace {

std::map<const CLI::App*, std::vector<Example>>& ExampleTable() {
  static std::map<const CLI::App*, std::vector<Example>> table;
  return table;
}

bool Visible(const CLI::App* a) { return !a->get_group().empty(); }

std::vector<CLI::App*> Subs(CLI::App* a, bool visible_only) {
  return a->get_subcommands([visible_only](CLI::App* s) {
    return !s->get_name().empty() && (!visible_only || Visible(s));
  });
}

bool IsHelpOrVersion(const CLI::Option* o) {
  for (const auto& n : o->get_lnames()) {
    if (n == "help" || n == "version" || n == "help-all") return true;
  }
  return false;
}

// The named (non-positional), visible options of `a` itself.
std::vector<const CLI::Option*> OwnOptions(const CLI::App* a, bool with_help) {
  return a->get_options([with_help](const CLI::Option* o) {
    return o->nonpositional() && !o->get_group().empty() && (with_help || !IsHelpOrVersion(o));
  });
}

// Options of the ancestors of `a` that CLI11 accepts after `a` (the app falls through).
std::vector<const CLI::Option*> GlobalOptions(const CLI::App* a) {
  std::vector<const CLI::Option*> out;
  for (const CLI::App* p = a->get_parent(); p; p = p->get_parent()) {
    for (const auto* o : OwnOptions(p, false)) out.push_back(o);
  }
  return out;
}

// The global flags each verb honours, by long name: its help and man page list these, not every
// global flag (CLI11 accepts them all after any verb). Keyed by the verb's path ("backfill run");
// a nested verb without an entry of its own takes its parent's. --config goes with every verb
// that reads strata.toml, --url and --connect-timeout with those that open a database,
// --locations with those that read migration files, --lock-wait with those that take the
// migration lock, --log-json with those that publish progress events, --color with those whose
// text is coloured; --json with all of them. The cli test fails for a verb missing here.
const std::map<std::string, std::vector<std::string_view>, std::less<>>& VerbGlobals() {
  using V = std::vector<std::string_view>;
  static const V kDb = {"url", "config", "json", "connect-timeout"};
  auto with = [](V base, std::initializer_list<std::string_view> more) {
    base.insert(base.end(), more);
    return base;
  };
  static const std::map<std::string, V, std::less<>> kTable = {
      {"migrate", with(kDb, {"locations", "lock-wait", "log-json"})},
      {"info", with(kDb, {"locations", "color"})},
      {"validate", with(kDb, {"locations"})},
      {"repair", with(kDb, {"locations", "lock-wait"})},
      {"baseline", with(kDb, {"locations", "lock-wait"})},
      {"hash", {"config", "json", "locations"}},
      {"lint", with(kDb, {"locations", "color"})},
      {"backfill", kDb},
      {"backfill run", with(kDb, {"log-json"})},
      {"change", kDb},
      {"change start", with(kDb, {"log-json"})},
      {"change complete", with(kDb, {"log-json"})},
      {"change abort", with(kDb, {"log-json"})},
      {"correct", with(kDb, {"lock-wait"})},
      {"evidence", with(kDb, {"locations"})},
      {"evidence verify", {"json"}},
      {"fleet", with(kDb, {"locations", "lock-wait", "log-json"})},
      {"identifiers", with(kDb, {"locations", "lock-wait"})},
      {"identifiers map fill", with(kDb, {"lock-wait", "log-json"})},
      {"import", with(kDb, {"locations", "lock-wait"})},
      {"plan", with(kDb, {"locations"})},
      {"schema", kDb},
      {"drift", with(kDb, {"locations"})},
      {"test", {"url", "config", "json", "locations"}},
      {"seed", with(kDb, {"log-json"})},
      {"seed apply", with(kDb, {"log-json", "lock-wait"})},
      {"wait", kDb},
      {"init", {"url", "json"}},
      {"new", {"config", "json", "locations"}},
      {"tag", with(kDb, {"lock-wait"})},
      {"verify", with(kDb, {"locations"})},
      {"help", {"json"}},
      {"completion", {"json"}},
  };
  return kTable;
}

// "backfill run" for `strata backfill run`; "" for the root.
std::string VerbPath(const CLI::App* a) {
  std::string path;
  for (; a && a->get_parent(); a = a->get_parent()) {
    path = path.empty() ? a->get_name() : a->get_name() + " " + path;
  }
  return path;
}

// The entry of VerbGlobals for `a` or its nearest listed ancestor; null when none is listed.
const std::vector<std::string_view>* HonouredGlobals(const CLI::App* a) {
  for (; a && a->get_parent(); a = a->get_parent()) {
    auto it = VerbGlobals().find(VerbPath(a));
    if (it != VerbGlobals().end()) return &it->second;
  }
  return nullptr;
}

// The global options `a` honours (GlobalOptions, filtered by VerbGlobals; all of them for a
// verb that is not listed).
std::vector<const CLI::Option*> VerbGlobalOptions(const CLI::App* a) {
  std::vector<const CLI::Option*> all = GlobalOptions(a);
  const auto* honoured = HonouredGlobals(a);
  if (!honoured) return all;
  std::vector<const CLI::Option*> out;
  for (const auto* o : all) {
    for (const auto& n : o->get_lnames()) {
      if (std::find(honoured->begin(), honoured->end(), n) != honoured->end()) {
        out.push_back(o);
        break;
      }
    }
  }
  return out;
}

// A flag expects no value (CLI11 sets expected(0)); an option one or more.
bool TakesValue(const CLI::Option* o) { return o->get_expected_max() > 0; }

std::vector<std::string> OptNames(const CLI::Option* o) {
  std::vector<std::string> out;
  for (const auto& n : o->get_snames()) out.push_back("-" + n);
  for (const auto& n : o->get_lnames()) out.push_back("--" + n);
  return out;
}

// The allowed values of an option checked with CLI::IsMember: CLI11 renders its validator into
// the type name as "TEXT:{done,rerun}".
std::vector<std::string> Choices(const CLI::Option* o) {
  std::string t = o->get_type_name();
  auto open = t.find(":{");
  auto close = t.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  std::vector<std::string> out;
  std::string cur;
  for (char c : t.substr(open + 2, close - open - 2)) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool HasPositionals(const CLI::App* a) {
  return !a->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
}

// Two neighbouring characters swapped ("rnu" for "run"): one slip, not two.
bool IsTransposition(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
         a.substr(i + 2) == b.substr(i + 2);
}

std::string_view Closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::vector<std::string_view> views(candidates.begin(), candidates.end());
  // The start of exactly one candidate ("val" for "validate").
  std::string_view prefix_of;
  int prefixes = 0;
  for (auto c : views) {
    if (word.size() >= 2 && c.size() > word.size() && c.substr(0, word.size()) == word) {
      prefix_of = c;
      ++prefixes;
    }
  }
  if (prefixes == 1) return prefix_of;
  for (auto c : views) {
    if (IsTransposition(word, c)) return c;
  }
  // A typo: at most a third of the word wrong.
  return base::ClosestMatch(word, views, std::max<size_t>(1, word.size() / 3));
}

const CLI::Option* FindOption(const CLI::App* a, std::string_view token) {
  std::string name(token.substr(0, token.find('=')));
  for (const CLI::App* p = a; p; p = p->get_parent()) {
    for (const auto* o : p->get_options({})) {
      for (const auto& n : OptNames(o)) {
        if (n == name) return o;
      }
    }
  }
  return nullptr;
}

std::string SubList(CLI::App* a) {
  std::vector<std::string> names;
  for (auto* s : Subs(a, true)) names.push_back(s->get_name());
  return fmt::format("{}", fmt::join(names, ", "));
}

class Formatter : public CLI::Formatter {
 public:
  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override {
    std::string out = CLI::Formatter::make_help(app, name, mode);
    if (mode == CLI::AppFormatMode::Sub) return out;
    auto globals = VerbGlobalOptions(app);
    if (!globals.empty()) {
      out += app->get_parent() ? "Global options this verb honours (before or after it):\n"
                               : "Global options (accepted before or after the verb):\n";
      for (const auto* o : globals) out += make_option(o, false);
      out += "\n";
    }
    const auto& ex = ExamplesOf(app);
    if (!ex.empty()) {
      out += "Examples:\n";
      for (const auto& e : ex) out += fmt::format("  {}\n      {}\n", e.command, e.what);
      out += "\n";
    }
    if (!app->get_parent()) out += "Run `strata help <verb>` for a verb's options and examples.\n";
    return out;
  }
};

// --- completion -------------------------------------------------------------------------------

struct Spec {
  std::string key;  // "" for the root, "/backfill/run" for a nested verb
  CLI::App* app;
  std::vector<const CLI::Option*> options;  // own and global, without help/version
};

std::vector<Spec> Specs(CLI::App& root) {
  std::vector<Spec> out;
  auto add = [&](auto&& self, CLI::App* a, const std::string& key) -> void {
    Spec s{key, a, OwnOptions(a, false)};
    // After a verb, only the global flags it honours (VerbGlobals), as its --help lists them.
    for (const auto* o : VerbGlobalOptions(a)) s.options.push_back(o);
    out.push_back(std::move(s));
    for (auto* sub : Subs(a, true)) self(self, sub, key + "/" + sub->get_name());
  };
  add(add, &root, "");
  return out;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep = " ") {
  return fmt::format("{}", fmt::join(v, sep));
}

std::string SingleQuoted(std::string_view s) {  // POSIX shells
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string FishQuoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// Value options with their choices (empty: any value, complete file names).
std::vector<std::pair<std::string, std::vector<std::string>>> ValueOptions(
    const std::vector<Spec>& specs) {
  std::map<std::string, std::vector<std::string>> seen;
  for (const auto& s : specs) {
    for (const auto* o : s.options) {
      if (!TakesValue(o)) continue;
      for (const auto& n : OptNames(o)) seen.emplace(n, Choices(o));
    }
  }
  return {seen.begin(), seen.end()};
}

std::string BashScript(CLI::App& root) {
  auto specs = Specs(root);
  std::string paths, arms, values;
  for (const auto& s : specs) {
    if (!s.key.empty()) paths += fmt::format("      {}) p=\"$p/$w\" ;;\n", SingleQuoted(s.key));
    std::vector<std::string> subs, flags;
    for (auto* sub : Subs(s.app, true)) subs.push_back(sub->get_name());
    for (const auto* o : s.options) {
      for (const auto& n : OptNames(o)) flags.push_back(n);
    }
    flags.push_back("--help");
    arms += fmt::format("    {}) subs={}; flags={}; files={} ;;\n", SingleQuoted(s.key),
                        SingleQuoted(Join(subs)), SingleQuoted(Join(flags)),
                        HasPositionals(s.app) ? 1 : 0);
  }
  for (const auto& [name, choices] : ValueOptions(specs)) {
    values += fmt::format("    {})\n      {}\n      return ;;\n", name,
                          choices.empty() ? std::string("COMPREPLY=($(compgen -f -- \"$cur\"))")
                                          : fmt::format("COMPREPLY=($(compgen -W {} -- \"$cur\"))",
                                                        SingleQuoted(Join(choices))));
  }
  return fmt::format(R"(# bash completion for strata {0} (generated by `strata completion bash`)
_strata() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="" p="" w i subs flags files
  [[ $COMP_CWORD -gt 0 ]] && prev="${{COMP_WORDS[COMP_CWORD-1]}}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${{COMP_WORDS[i]}}"
    case "$p/$w" in
{1}    esac
  done
  case "$prev" in
{3}  esac
  case "$p" in
{2}  esac
  if [[ "$cur" == -* || ( -z "$subs" && $files == 0 ) ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ -n "$subs" ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}}
complete -o filenames -F _strata strata
)",
                     kVersion, paths, arms, values);
}

std::string ZshDescribe(const std::string& name, const std::string& desc) {
  std::string n;
  for (char c : name) n += c == ':' ? std::string("\\:") : std::string(1, c);
  std::string d = desc.substr(0, desc.find('\n'));
  return SingleQuoted(n + ":" + d);
}

std::string ZshScript(CLI::App& root) {
  auto specs = Specs(root);
  std::string paths, arms, values;
  for (const auto& s : specs) {
    if (!s.key.empty()) paths += fmt::format("      {}) p=\"$p/$w\" ;;\n", SingleQuoted(s.key));
    std::vector<std::string> subs, flags;
    for (auto* sub : Subs(s.app, true))
      subs.push_back(ZshDescribe(sub->get_name(), sub->get_description()));
    for (const auto* o : s.options) {
      for (const auto& n : OptNames(o)) flags.push_back(ZshDescribe(n, o->get_description()));
    }
    flags.push_back(ZshDescribe("--help", "print this help message and exit"));
    arms += fmt::format("    {}) subs=({}); flags=({}); files={} ;;\n", SingleQuoted(s.key),
                        Join(subs), Join(flags), HasPositionals(s.app) ? 1 : 0);
  }
  for (const auto& [name, choices] : ValueOptions(specs)) {
    values += fmt::format(
        "    {}) {}; return ;;\n", name,
        choices.empty() ? std::string("_files") : fmt::format("compadd -- {}", Join(choices)));
  }
  return fmt::format(R"(#compdef strata
# zsh completion for strata {0} (generated by `strata completion zsh`)
_strata() {{
  local p="" w i files
  local -a subs flags
  for ((i = 2; i < CURRENT; i++)); do
    w="${{words[i]}}"
    case "$p/$w" in
{1}    esac
  done
  case "${{words[CURRENT-1]}}" in
{3}  esac
  case "$p" in
{2}  esac
  if [[ "$PREFIX" == -* || ( ${{#subs}} -eq 0 && $files -eq 0 ) ]]; then
    _describe -t options 'option' flags
  elif (( ${{#subs}} )); then
    _describe -t commands 'strata command' subs
  else
    _files
  fi
}}
if [[ "$funcstack[1]" == "_strata" ]]; then
  _strata "$@"
else
  compdef _strata strata
fi
)",
                     kVersion, paths, arms, values);
}

std::string FishScript(CLI::App& root) {
  auto specs = Specs(root);
  // __strata_path walks the words typed so far as the bash script does ("/backfill/run"), so a
  // condition names one command exactly: `strata evidence verify` is not `strata verify`.
  std::vector<std::string> keys;
  for (const auto& s : specs) {
    if (!s.key.empty()) keys.push_back(SingleQuoted(s.key));
  }
  std::string out = fmt::format(
      "# fish completion for strata {} (generated by `strata completion fish`)\n"
      "function __strata_path\n"
      "  set -l p ''\n"
      "  for w in (commandline -opc)[2..-1]\n"
      "    contains -- \"$p/$w\" {}; and set p \"$p/$w\"\n"
      "  end\n"
      "  echo $p\n"
      "end\n"
      "function __strata_at\n"
      "  set -l p (__strata_path)\n"
      "  test \"$p\" = \"$argv[1]\"\n"
      "end\n",
      kVersion, Join(keys));
  for (const auto& s : specs) {
    std::string cond = "__strata_at " + SingleQuoted(s.key);
    for (auto* sub : Subs(s.app, true)) {
      out += fmt::format("complete -c strata -f -n {} -a {} -d {}\n", FishQuoted(cond),
                         sub->get_name(), FishQuoted(sub->get_description()));
    }
    // Its own options and, after a verb, the global ones it honours (Specs).
    for (const auto* o : s.options) {
      std::string names;
      for (const auto& n : o->get_lnames()) names += " -l " + n;
      for (const auto& n : o->get_snames()) names += " -s " + n;
      auto choices = Choices(o);
      out += fmt::format("complete -c strata -n {}{}{} -d {}\n", FishQuoted(cond), names,
                         !TakesValue(o)    ? ""
                         : choices.empty() ? " -r"
                                           : " -x -a " + FishQuoted(Join(choices)),
                         FishQuoted(o->get_description()));
    }
  }
  return out;
}

// --- man pages --------------------------------------------------------------------------------

// Text for roff: backslashes, hyphens (U+2010 in groff otherwise) and control characters at a
// line start escaped; non-ASCII characters as groff's \[uXXXX].
std::string Roff(std::string_view s) {
  std::string out;
  bool line_start = true;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if (c >= 0x80) {
      int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      unsigned cp = c & (len == 4 ? 0x07 : len == 3 ? 0x0F : 0x1F);
      for (int k = 1; k < len && i + 1 < s.size(); ++k) cp = (cp << 6) | (s[++i] & 0x3F);
      out += fmt::format("\\[u{:04X}]", cp);
    } else {
      out += static_cast<char>(c);
    }
    line_start = c == '\n';
  }
  return out;
}

std::string ManOption(const CLI::Option* o) {
  std::vector<std::string> names;
  for (const auto& n : OptNames(o)) names.push_back("\\fB" + Roff(n) + "\\fR");
  std::string value;
  if (TakesValue(o)) {
    auto choices = Choices(o);
    value = choices.empty() ? " \\fIvalue\\fR" : " \\fI" + Roff(Join(choices, "|")) + "\\fR";
  }
  std::string desc = o->get_description();
  if (o->get_required()) desc += " (required)";
  return fmt::format(".TP\n{}{}\n{}\n", Join(names, ", "), value, Roff(desc));
}

std::string ManPageName(const CLI::App* a) {
  std::string path = CommandPath(a);
  std::replace(path.begin(), path.end(), ' ', '-');
  return path;
}

std::string ManPage(CLI::App& root, CLI::App* a) {
  std::string name = ManPageName(a);
  std::string out =
      fmt::format(".TH {} 1 \"\" \"strata {}\" \"strata manual\"\n", base::ToUpper(name), kVersion);
  std::string desc = a->get_description();
  if (desc.rfind(name + " \u2014 ", 0) == 0) desc = desc.substr(name.size() + 5);  // "strata — "
  out += fmt::format(".SH NAME\n{} \\- {}\n", Roff(name), Roff(desc));
  // Synopsis: the path, then what it takes.
  std::string synopsis = "\\fB" + Roff(CommandPath(a)) + "\\fR [\\fIoptions\\fR]";
  for (const auto* o : a->get_options([](const CLI::Option* o) { return o->get_positional(); })) {
    synopsis += fmt::format(" [\\fI{}\\fR{}]", Roff(o->get_name()),
                            o->get_items_expected_max() > 1 ? "..." : "");
  }
  if (!Subs(a, true).empty()) synopsis += " \\fIcommand\\fR";
  out += ".SH SYNOPSIS\n" + synopsis + "\n";
  out += ".SH DESCRIPTION\n" + Roff(desc) + ".\n";
  auto positionals = a->get_options([](const CLI::Option* o) { return o->get_positional(); });
  if (!positionals.empty()) {
    out += ".SH ARGUMENTS\n";
    for (const auto* o : positionals) {
      out += fmt::format(".TP\n\\fI{}\\fR\n{}\n", Roff(o->get_name()), Roff(o->get_description()));
    }
  }
  auto own = OwnOptions(a, false);
  if (!own.empty()) {
    out += a->get_parent() ? ".SH OPTIONS\n" : ".SH GLOBAL OPTIONS\n";
    for (const auto* o : own) out += ManOption(o);
  }
  auto subs = Subs(a, true);
  if (!subs.empty()) {
    out += ".SH COMMANDS\n";
    for (auto* s : subs) {
      out +=
          fmt::format(".TP\n\\fB{}\\fR(1)\n{}\n", Roff(ManPageName(s)), Roff(s->get_description()));
    }
  }
  if (a->get_parent()) {
    out += ".SH GLOBAL OPTIONS\nThose this verb honours, accepted before or after it:\n";
    for (const auto* o : VerbGlobalOptions(a)) out += ManOption(o);
  } else {
    out +=
        ".SH ENVIRONMENT\n"
        ".TP\n\\fBSTRATA_URL\\fR, \\fBDATABASE_URL\\fR\nthe database URL when \\fB\\-\\-url\\fR "
        "is not given\n"
        ".TP\n\\fBNO_COLOR\\fR\nwhen set and not empty, no colour (unless \\fB\\-\\-color "
        "always\\fR)\n";
    out += ".SH EXIT STATUS\n";
    std::map<int, std::vector<std::string>> by_code;
#define STRATA_ERROR(e, ename, exit_code, doc) by_code[exit_code].push_back(ename);
#include "strata/error_codes.def"
#undef STRATA_ERROR
    for (const auto& [code, names] : by_code) {
      out += fmt::format(".TP\n\\fB{}\\fR\n{}\n", code, Roff(Join(names, ", ")));
    }
  }
  const auto& ex = ExamplesOf(a);
  if (!ex.empty()) {
    out += ".SH EXAMPLES\n";
    for (const auto& e : ex) {
      out += fmt::format(".PP\n{}\n.PP\n.RS 4\n.nf\n{}\n.fi\n.RE\n", Roff(e.what), Roff(e.command));
    }
  }
  out += ".SH SEE ALSO\n";
  if (a->get_parent()) {
    out += fmt::format("\\fB{}\\fR(1)\n", Roff(ManPageName(a->get_parent())));
  } else {
    std::vector<std::string> refs;
    for (auto* s : Subs(&root, true)) refs.push_back("\\fB" + Roff(ManPageName(s)) + "\\fR(1)");
    out += Join(refs, ", ") + "\n";
  }
  return out;
}

Status UnknownCommand(CLI::App* parent, std::string_view word) {
  std::vector<std::string> names;
  for (auto* s : Subs(parent, true)) names.push_back(s->get_name());
  std::string_view best = Closest(word, names);
  std::string where = parent->get_parent() ? fmt::format(" of `{}`", CommandPath(parent)) : "";
  std::string msg =
      best.empty() ? fmt::format("unknown command `{}`{}", word, where)
                   : fmt::format("unknown command `{}`{}; did you mean `{}`?", word, where, best);
  return Status(ErrorCode::kUsage, msg)
      .WithHint(fmt::format("the commands are: {}; run `strata help{}`", SubList(parent),
                            parent->get_parent() ? " " + CommandPath(parent).substr(7) : ""));
}

}  // namespace

void Examples(CLI::App* cmd, std::vector<Example> examples) {
  ExampleTable()[cmd] = std::move(examples);
}

const std::vector<Example>& ExamplesOf(const CLI::App* cmd) {
  static const std::vector<Example> kNone;
  auto it = ExampleTable().find(cmd);
  return it == ExampleTable().end() ? kNone : it->second;
}

std::vector<CLI::App*> AllCommands(CLI::App& app, bool visible_only) {
  std::vector<CLI::App*> out;
  auto walk = [&](auto&& self, CLI::App* a) -> void {
    for (auto* s : Subs(a, visible_only)) {
      out.push_back(s);
      self(self, s);
    }
  };
  walk(walk, &app);
  return out;
}

std::string CommandPath(const CLI::App* cmd) {
  std::string path = cmd->get_name();
  for (const CLI::App* p = cmd->get_parent(); p; p = p->get_parent())
    path = p->get_name() + " " + path;
  return path;
}

void InstallHelp(CLI::App& app) {
  auto f = std::make_shared<Formatter>();
  f->column_width(28);
  app.formatter(f);
  for (auto* s : AllCommands(app, false)) s->formatter(f);
}

Status DiagnoseUsage(CLI::App& app, int argc, char** argv, std::string_view cli11_message) {
  CLI::App* cur = &app;
  for (int i = 1; i < argc; ++i) {
    std::string_view tok = argv[i];
    if (tok == "--") break;
    if (tok.size() > 1 && tok[0] == '-') {
      const CLI::Option* o = FindOption(cur, tok);
      if (!o) {
        std::string name(tok.substr(0, tok.find('=')));
        std::vector<std::string> names;
        for (const CLI::App* p = cur; p; p = p->get_parent()) {
          for (const auto* opt : OwnOptions(p, true)) {
            for (const auto& n : OptNames(opt)) names.push_back(n);
          }
        }
        std::string_view best = Closest(name, names);
        std::string where = cur == &app ? "" : fmt::format(" for `{}`", CommandPath(cur));
        std::string msg = best.empty() ? fmt::format("unknown flag `{}`{}", name, where)
                                       : fmt::format("unknown flag `{}`{}; did you mean `{}`?",
                                                     name, where, best);
        // A flag of another verb, given to this one.
        if (best.empty()) {
          for (auto* other : AllCommands(app, true)) {
            if (FindOption(other, name)) {
              msg += fmt::format(" (`{}` is a flag of `{}`)", name, CommandPath(other));
              break;
            }
          }
        }
        return Status(ErrorCode::kUsage, msg)
            .WithHint(fmt::format("run `strata help{}`",
                                  cur == &app ? "" : " " + CommandPath(cur).substr(7)));
      }
      if (TakesValue(o) && tok.find('=') == std::string_view::npos &&
          !(tok.size() > 2 && tok[1] != '-'))  // -xVALUE
        ++i;
      continue;
    }
    CLI::App* next = nullptr;
    for (auto* s : Subs(cur, false)) {
      if (s->check_name(std::string(tok))) next = s;
    }
    if (next) {
      cur = next;
      continue;
    }
    if (HasPositionals(cur)) continue;
    if (!Subs(cur, true).empty()) return UnknownCommand(cur, tok);
    break;
  }
  if (cli11_message.find("subcommand is required") != std::string_view::npos) {
    std::string path = CommandPath(cur);
    return Status(ErrorCode::kUsage, fmt::format("`{}` needs a command: {}", path, SubList(cur)))
        .WithHint(fmt::format("run `strata help{}`", cur == &app ? "" : " " + path.substr(7)));
  }
  return Status(ErrorCode::kUsage, std::string(cli11_message))
      .WithHint(
          fmt::format("run `strata help{}`", cur == &app ? "" : " " + CommandPath(cur).substr(7)));
}

Result<std::string> CompletionScript(CLI::App& app, std::string_view shell) {
  if (shell == "bash") return BashScript(app);
  if (shell == "zsh") return ZshScript(app);
  if (shell == "fish") return FishScript(app);
  std::vector<std::string> shells = {"bash", "zsh", "fish"};
  std::string_view best = Closest(shell, shells);
  return Status(ErrorCode::kUsage,
                best.empty()
                    ? fmt::format("no completion for shell `{}`", shell)
                    : fmt::format("no completion for shell `{}`; did you mean `{}`?", shell, best))
      .WithHint("use `strata completion bash`, `zsh` or `fish`");
}

Result<std::vector<std::string>> WriteManPages(CLI::App& app, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status(ErrorCode::kIo, fmt::format("{}: cannot create: {}", dir, ec.message()));
  }
  std::vector<CLI::App*> pages = {&app};
  for (auto* s : AllCommands(app, true)) pages.push_back(s);
  std::vector<std::string> written;
  for (auto* a : pages) {
    std::string path = (std::filesystem::path(dir) / (ManPageName(a) + ".1")).string();
    std::string error;
    if (!base::WriteFileAtomic(path, ManPage(app, a), &error)) {
      return Status(ErrorCode::kIo, fmt::format("{}: cannot write: {}", path, error));
    }
    written.push_back(path);
  }
  return written;
}

namespace {

void RegisterHelp(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* help = app.add_subcommand("help", "show the options and examples of a command");
  auto words = std::make_shared<std::vector<std::string>>();
  help->add_option("command", *words, "the command, e.g. `migrate` or `backfill run`");
  Examples(help, {{"strata help migrate", "the options and examples of `strata migrate`"},
                  {"strata help backfill run", "a nested command"}});
  reg.commands.emplace_back(help, [&app, &g, words] {
    CLI::App* target = &app;
    for (const auto& w : *words) {
      CLI::App* next = nullptr;
      for (auto* s : Subs(target, false)) {
        if (s->check_name(w)) next = s;
      }
      if (!next) {
        Status s = UnknownCommand(target, w);
        return Finish(g, s, {}, "");
      }
      target = next;
    }
    std::cout << target->get_formatter()->make_help(target, CommandPath(target),
                                                    CLI::AppFormatMode::Normal);
    return 0;
  });
}

void RegisterCompletion(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* completion = app.add_subcommand("completion", "print a shell completion script");
  auto shell = std::make_shared<std::string>();
  completion->add_option("shell", *shell, "bash, zsh or fish")->required();
  Examples(
      completion,
      {{"source <(strata completion bash)", "complete strata in this bash session"},
       {"strata completion fish > ~/.config/fish/completions/strata.fish", "install for fish"}});
  reg.commands.emplace_back(completion, [&app, &g, shell] {
    auto script = CompletionScript(app, *shell);
    if (!script) return Finish(g, script.error(), {}, "");
    std::cout << *script;
    return 0;
  });
}

void RegisterMan(CLI::App& app, GlobalFlags& g, Registry& reg) {
  // Hidden: the build writes the man pages with it (cli/CMakeLists.txt).
  auto* man = app.add_subcommand("man", "write the man pages (strata.1, strata-<verb>.1)");
  man->group("");
  auto dir = std::make_shared<std::string>();
  man->add_option("--dir", *dir, "the directory to write them into")->required();
  reg.commands.emplace_back(man, [&app, &g, dir] {
    auto written = WriteManPages(app, *dir);
    if (!written) return Finish(g, written.error(), {}, "");
    nlohmann::json j = {{"written", *written}};
    std::string text;
    for (const auto& p : *written) text += fmt::format("wrote {}\n", p);
    return Finish(g, Status::Ok(), j, text);
  });
}

}  // namespace

std::vector<VerbRegistration> HelpVerbs() {
  return {{"help", &RegisterHelp}, {"completion", &RegisterCompletion}, {"man", &RegisterMan}};
}

}  // namespace strata::cli
