// tests/corpus/filters/language_id_test.cc — CLD2 on a sentence or two in several languages.
#include "corpus/filters/language_id.h"

#include <gtest/gtest.h>

#include "corpus/filters/document_filters.h"

#include <string>
#include <string_view>

namespace rwkvkit::corpus::filters {
namespace {

TEST(IdentifyLanguage, ShortTextsInSeveralLanguages) {
  const struct {
    const char* want;
    const char* text;
  } cases[] = {
      {"en", "The quick brown fox jumps over the lazy dog, and then it runs back into the forest."},
      {"de", "Der schnelle braune Fuchs springt über den faulen Hund und läuft dann zurück in den Wald."},
      {"fr", "Le renard brun rapide saute par-dessus le chien paresseux, puis il retourne dans la forêt."},
      {"es", "El rápido zorro marrón salta sobre el perro perezoso y luego vuelve corriendo al bosque."},
      {"ru", "Быстрая коричневая лиса прыгает через ленивую собаку, а потом убегает обратно в лес."},
      {"ja", "素早い茶色の狐は怠け者の犬を飛び越えて、それから森の中へ走って帰りました。"},
      // CLD2 needs more than one short Chinese sentence to decide (it says "un" on the first alone).
      {"zh-Hans", "这只敏捷的棕色狐狸跳过了那只懒狗，然后跑回了森林里面去了。我们今天在学校学习了很多新的知识，"
                  "老师说明天还要继续讨论这个问题。"},
      {"ko", "빠른 갈색 여우가 게으른 개를 뛰어넘은 다음 숲으로 다시 달려갔습니다."},
      {"el", "Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο και μετά τρέχει πίσω στο δάσος."},
      {"he", "השועל החום המהיר קופץ מעל הכלב העצלן ואז רץ בחזרה אל היער הגדול."},
  };
  for (const auto& c : cases) {
    const LanguageGuess g = IdentifyLanguage(c.text);
    EXPECT_EQ(g.code, c.want) << c.text;
    EXPECT_GT(g.percent, 50) << c.text;
  }
}

TEST(IdentifyLanguage, UnknownOnNoText) {
  EXPECT_EQ(IdentifyLanguage("").code, "un");
  EXPECT_EQ(IdentifyLanguage("12345 !!! ...").code, "un");
}

std::string Repeat(std::string_view s, size_t bytes) {
  std::string out;
  while (out.size() < bytes) out.append(s);
  return out;
}

TEST(LanguageIdPrefix, CutsBeforeAWordOrAtACharacter) {
  const std::string en = Repeat("The quick brown fox jumps over the lazy dog. ", 5000);
  EXPECT_EQ(LanguageIdPrefix(en, en.size()), en);
  EXPECT_EQ(LanguageIdPrefix("short", 1024), "short");
  const std::string_view p = LanguageIdPrefix(en, 1024);
  ASSERT_LE(p.size(), 1024u);
  EXPECT_GT(p.size(), 1024u - 64);
  EXPECT_EQ(en[p.size()], ' ');  // the next word is left out whole
  EXPECT_TRUE(en.starts_with(p));
  // No whitespace: a character boundary (3-byte UTF-8 characters).
  const std::string zh = Repeat("这只敏捷的棕色狐狸跳过了那只懒狗", 5000);
  for (size_t limit : {1024, 1025, 1026, 1027}) {
    const std::string_view q = LanguageIdPrefix(zh, limit);
    EXPECT_LE(q.size(), limit);
    EXPECT_GT(q.size() + 3, limit);
    EXPECT_EQ(q.size() % 3, 0u) << limit;
  }
}

TEST(LanguageIdPrefix, NeverSplitsACharacterAndPrefersWhitespace) {
  // 1-, 2-, 3- and 4-byte characters, words of several lengths, and a 200-byte run without
  // whitespace: every limit gives a prefix of whole characters, ending before the last
  // whitespace within 64 bytes of the limit when there is one.
  std::string text;
  const char* words[] = {"a", "é", "日本", "𝄞x", "naïve", "Ωμέγα", "ok"};
  for (int i = 0; i < 120; ++i) text += std::string(words[i % 7]) + (i % 11 == 10 ? "\n" : " ");
  text += Repeat("日本語", 200) + " tail";
  const auto is_lead = [&](size_t i) { return i == text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80; };
  for (size_t limit = 1; limit < text.size(); ++limit) {
    const std::string_view p = LanguageIdPrefix(text, limit);
    ASSERT_LE(p.size(), limit);
    ASSERT_TRUE(is_lead(p.size())) << limit;
    size_t space = std::string_view::npos;  // the last whitespace at or below the limit, within 64 bytes
    for (size_t i = limit; i > 0 && i + 64 > limit; --i)
      if (text[i - 1] == ' ' || text[i - 1] == '\n') {
        space = i - 1;
        break;
      }
    if (space != std::string_view::npos) EXPECT_EQ(p.size(), space) << limit;
    else EXPECT_GT(p.size() + 4, limit) << limit;  // the last character boundary
  }
}

TEST(IdentifyLanguage, FilterOptionsSetThePrefix) {
  // The filters read FilterOptions::language_id_prefix: 0 is the whole text.
  const std::string text = Repeat("Der schnelle braune Fuchs springt über den faulen Hund. ", 2048) +
                           Repeat("The quick brown fox jumps over the lazy dog, and then it runs home. ", 40000);
  FilterOptions o;
  o.gopher_repetition = o.gopher_quality = o.fineweb_quality = false;
  LanguageGuess g;
  FilterDocument(text, o, g);
  EXPECT_EQ(g.code, "de");  // the default prefix
  o.language_id_prefix = 0;
  FilterDocument(text, o, g);
  EXPECT_EQ(g.code, "en");
  o.language_id_prefix = 1 << 20;
  FilterDocument(text, o, g);
  EXPECT_EQ(g.code, "en");
}

TEST(IdentifyLanguage, PrefixDecidesWhenCld2CallsItReliable) {
  // 2 KiB of German before 40 KiB of English: the whole text is English, its first KiB German.
  const std::string de = Repeat("Der schnelle braune Fuchs springt über den faulen Hund und läuft zurück in den Wald. ", 2048);
  const std::string text = de + Repeat("The quick brown fox jumps over the lazy dog, and then it runs back home. ", 40000);
  EXPECT_EQ(IdentifyLanguage(text).code, "en");
  const LanguageGuess g = IdentifyLanguage(text, kLanguageIdPrefixBytes);
  EXPECT_EQ(g.code, "de");
  EXPECT_TRUE(g.reliable);
}

TEST(IdentifyLanguage, WholeTextWhenThePrefixIsUnreliable) {
  // A first KiB without letters (CLD2: "un", unreliable), then French prose: the whole text is read.
  const std::string text = Repeat("12345 67890 !!! ... ", 2048) +
                           Repeat("Le renard brun rapide saute par-dessus le chien paresseux, puis il retourne. ", 8000);
  EXPECT_FALSE(IdentifyLanguage(LanguageIdPrefix(text, kLanguageIdPrefixBytes)).reliable);
  EXPECT_EQ(IdentifyLanguage(text, kLanguageIdPrefixBytes).code, "fr");
}

TEST(WrittenWithoutSpaces, ScriptsWithoutWordSpaces) {
  EXPECT_TRUE(WrittenWithoutSpaces("zh-Hant"));
  EXPECT_TRUE(WrittenWithoutSpaces("ja"));
  EXPECT_TRUE(WrittenWithoutSpaces("th"));
  EXPECT_FALSE(WrittenWithoutSpaces("ko"));
  EXPECT_FALSE(WrittenWithoutSpaces("en"));
}

}  // namespace
}  // namespace rwkvkit::corpus::filters
