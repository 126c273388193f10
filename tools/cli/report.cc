// tools/cli/report.cc — turns a Status into the CLI's one-line error and exit status.
#include <cstdio>
#include <string>

#include "tools/commands.h"

namespace rwkvkit::cli {

int ReportError(std::string_view command, const absl::Status& status) {
  const std::string msg(status.message());
  std::fprintf(stderr, "rwkvkit %.*s: %s\n", static_cast<int>(command.size()), command.data(), msg.c_str());
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace rwkvkit::cli
