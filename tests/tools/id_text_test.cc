// tests/tools/id_text_test.cc — the id formatter against std::to_string: the table, and on
// CPUs with AVX-512 VBMI2 the 32-ids-at-a-time path (long lists) beside the table alone.
#include "tools/cli/id_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace rwkvkit::cli {
namespace {

std::string Reference(const std::vector<uint16_t>& ids, char sep, bool first) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0 || !first) out.push_back(sep);
    out += std::to_string(ids[i]);
  }
  return out;
}

TEST(IdText, EveryIdAsTheFirstAndAsALaterOne) {
  const IdText spaces(' ');
  for (uint32_t id = 0; id < 65536; ++id) {
    const std::vector<uint16_t> one = {static_cast<uint16_t>(id)};
    std::string got = "x";
    spaces.Append(one, /*first=*/true, got);
    ASSERT_EQ(got, "x" + std::to_string(id));
    got.clear();
    spaces.Append(one, /*first=*/false, got);
    ASSERT_EQ(got, " " + std::to_string(id));
  }
  // Every id in lists long enough for the vector path, at each phase of its 32-id blocks.
  std::vector<uint16_t> all(65536 + 40);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i);
  for (bool vector : {true, false}) {
    for (size_t skip : {0, 1, 17, 31}) {
      const std::vector<uint16_t> ids(all.begin() + static_cast<long>(skip), all.end());
      std::string got;
      IdText(' ', vector).Append(ids, /*first=*/skip % 2 == 0, got);
      ASSERT_EQ(got, Reference(ids, ' ', skip % 2 == 0)) << "vector " << vector << ", skip " << skip;
    }
  }
}

TEST(IdText, ListsAppendAfterWhatIsThere) {
  for (bool vector : {true, false}) {
    const IdText commas(',', vector);
    std::mt19937 rng(7);
    std::string got = "[";
    std::string want = "[";
    for (int round = 0; round < 50; ++round) {
      std::vector<uint16_t> ids(round == 0 ? 1 + rng() % 3000 : rng() % 3000);
      for (uint16_t& id : ids) id = static_cast<uint16_t>(rng() % 7 == 0 ? rng() % 10 : rng());
      commas.Append(ids, /*first=*/round == 0, got);
      want += Reference(ids, ',', round == 0);
      ASSERT_EQ(got, want) << "round " << round << ", vector " << vector;
    }
    std::string empty;
    commas.Append({}, true, empty);
    EXPECT_EQ(empty, "");
  }
}

}  // namespace
}  // namespace rwkvkit::cli
