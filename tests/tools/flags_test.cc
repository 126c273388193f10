// Tests of the flag table parser and usage text (tools/cli/flags.h).
#include "tools/cli/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rwkvkit::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const CommandSpec kSpec{
    "demo",
    "FILE [options]\n--other-form",
    "Does nothing; a table for the tests.",
    {
        {"jsonl", FlagKind::kBool, "", "one line per record"},
        OutFlag("DIR", "where it goes"),
        {"input", FlagKind::kRepeated, "PATH", "an input\nsecond line of its help"},
        TextKeyFlag(),
        {"key", FlagKind::kValue, "KEY", "", 0, "text-key"},
        ThreadsFlag(),
        NoProgressFlag(),
        {"a-very-long-flag-name", FlagKind::kValue, "VALUE", "help on the next line"},
    }};

// argv from strings; argv[0] is the command name.
absl::StatusOr<ParsedFlags> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "demo");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return ParseFlags(static_cast<int>(argv.size()), argv.data(), kSpec);
}

TEST(FlagsTest, ValueForms) {
  absl::StatusOr<ParsedFlags> f = Parse({"--out", "a", "--threads=3", "-o", "b", "-oc", "x"});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->Get("out"), "c");  // the last one wins
  EXPECT_EQ(f->GetAll("out"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(*f->GetInt("threads", 0, 0, 10), 3);
  EXPECT_EQ(f->positional, std::vector<std::string>{"x"});
  EXPECT_EQ(*f->InputPath(), "x");
  EXPECT_FALSE(f->Has("jsonl"));
  EXPECT_EQ(f->Get("text-key"), std::nullopt);
  EXPECT_EQ(*f->GetInt("text-key", 7, 0, 10), 7);
}

TEST(FlagsTest, BooleansRepeatsAndPositionals) {
  absl::StatusOr<ParsedFlags> f = Parse({"-", "--jsonl", "--input", "p1", "y", "--input=p2", "--", "--jsonl", "-o"});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->Has("jsonl"));
  EXPECT_EQ(f->GetAll("input"), (std::vector<std::string>{"p1", "p2"}));
  EXPECT_EQ(f->positional, (std::vector<std::string>{"-", "y", "--jsonl", "-o"}));
  EXPECT_FALSE(f->Has("out"));
  EXPECT_EQ(f->InputPath().status().code(), absl::StatusCode::kInvalidArgument);  // four positionals
}

TEST(FlagsTest, AliasSetsTheCanonicalFlagAndWarns) {
  absl::StatusOr<ParsedFlags> f = Parse({"--key", "body"});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->Get("text-key"), "body");
  ASSERT_EQ(f->warnings.size(), 1u);
  EXPECT_THAT(f->warnings[0], HasSubstr("--key is deprecated; use --text-key"));
}

TEST(FlagsTest, HelpAndVersionAreDeclaredForEveryCommand) {
  absl::StatusOr<ParsedFlags> f = Parse({"-h", "--version"});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->Has("help"));
  EXPECT_TRUE(f->Has("version"));
  EXPECT_EQ(*f->InputPath(), "-");  // no positional: stdin
  f = Parse({"-V"});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->Has("version"));
}

TEST(FlagsTest, UsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"--thread", "2"}, "unknown option --thread (did you mean --threads?)"},
      {{"--no-progres"}, "(did you mean --no-progress?)"},
      {{"--text_key", "k"}, "(did you mean --text-key?)"},
      {{"--jsnol"}, "(did you mean --jsonl?)"},
      {{"--inp", "x"}, "(did you mean --input?)"},  // an abbreviation
      {{"--zzzzzz"}, "unknown option --zzzzzz; see rwkvkit demo --help"},
      {{"-x"}, "unknown option -x"},
      {{"-5"}, "unknown option -5"},
      {{"--jsonl=1"}, "--jsonl takes no value"},
      {{"--threads"}, "--threads needs a value (N)"},
      {{"-o"}, "-o needs a value (DIR)"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ParsedFlags> f = Parse(c.args);
    ASSERT_FALSE(f.ok()) << c.args[0];
    EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(f.status().message()), HasSubstr(c.message));
  }
  // Nothing is suggested for a name far from every flag, nor the hidden alias.
  absl::StatusOr<ParsedFlags> f = Parse({"--zzzzzz"});
  EXPECT_THAT(std::string(f.status().message()), Not(HasSubstr("did you mean")));
  f = Parse({"--kez", "k"});
  EXPECT_THAT(std::string(f.status().message()), Not(HasSubstr("--key?")));
}

TEST(FlagsTest, GetIntChecksTheRange) {
  absl::StatusOr<ParsedFlags> f = Parse({"--threads", "12"});
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->GetInt("threads", 0, 0, 10).ok());
  f = Parse({"--threads", "3x"});
  ASSERT_TRUE(f.ok());
  absl::StatusOr<long> n = f->GetInt("threads", 0, 0, 10);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(), "--threads wants an integer in 0..10 (saw \"3x\")");
}

TEST(FlagsTest, ReadingAnUndeclaredFlagIsAProgrammingError) {
  absl::StatusOr<ParsedFlags> f = Parse({});
  ASSERT_TRUE(f.ok());
  EXPECT_DEATH((void)f->Has("undeclared"), "flag --undeclared is read but not declared");
  EXPECT_DEATH((void)f->Get("key"), "flag --key is read but not declared");  // an alias is not a name
}

TEST(FlagsTest, UsageListsEveryVisibleFlagWithItsHelp) {
  const std::string usage = FormatUsage(kSpec);
  EXPECT_THAT(usage, HasSubstr("usage: rwkvkit demo FILE [options]\n       rwkvkit demo --other-form\n"));
  EXPECT_THAT(usage, HasSubstr("\nDoes nothing; a table for the tests.\n"));
  EXPECT_THAT(usage, HasSubstr("  --jsonl               one line per record\n"));
  EXPECT_THAT(usage, HasSubstr("  -o, --out DIR         where it goes\n"));
  EXPECT_THAT(usage, HasSubstr("  --input PATH ...      an input\n                        second line of its help\n"));
  EXPECT_THAT(usage, HasSubstr("  --a-very-long-flag-name VALUE\n                        help on the next line\n"));
  EXPECT_THAT(usage, HasSubstr("  -h, --help            print this help and exit\n"));
  EXPECT_THAT(usage, HasSubstr("  -V, --version         print the version and exit\n"));
  EXPECT_THAT(usage, Not(HasSubstr("--key")));
  for (const Flag& f : kSpec.flags) {
    if (f.alias_of.empty()) {
      EXPECT_THAT(usage, HasSubstr("--" + f.name)) << f.name;
    }
  }
}

TEST(FlagsTest, Suggest) {
  const std::vector<std::string> names = {"build", "tokenize", "detokenize", "inspect", "eval", "stats", "bench"};
  EXPECT_EQ(Suggest("tokenzie", names), "tokenize");
  EXPECT_EQ(Suggest("biuld", names), "build");
  EXPECT_EQ(Suggest("evl", names), "eval");
  EXPECT_EQ(Suggest("stat", names), "stats");
  EXPECT_EQ(Suggest("compile", names), std::nullopt);
  EXPECT_EQ(Suggest("x", names), std::nullopt);
}

}  // namespace
}  // namespace rwkvkit::cli
