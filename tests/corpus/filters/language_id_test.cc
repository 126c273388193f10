// tests/corpus/filters/language_id_test.cc — CLD2 on a sentence or two in several languages.
#include "corpus/filters/language_id.h"

#include <gtest/gtest.h>

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

TEST(WrittenWithoutSpaces, ScriptsWithoutWordSpaces) {
  EXPECT_TRUE(WrittenWithoutSpaces("zh-Hant"));
  EXPECT_TRUE(WrittenWithoutSpaces("ja"));
  EXPECT_TRUE(WrittenWithoutSpaces("th"));
  EXPECT_FALSE(WrittenWithoutSpaces("ko"));
  EXPECT_FALSE(WrittenWithoutSpaces("en"));
}

}  // namespace
}  // namespace rwkvkit::corpus::filters
