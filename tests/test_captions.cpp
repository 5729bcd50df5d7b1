// Captions of chapter 04: the tokenizer, the vocabulary, the tone rule and the paraphrases.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include <mmgen/io/captions.hpp>

using namespace mmgen;
using namespace mmgen::data;
using Catch::Matchers::Contains;

namespace {
// A dataset of 1×4 "images", each filled with one grey level, with the given labels.
Dataset flat_images(const std::vector<std::uint8_t>& levels, const std::vector<std::uint8_t>& labels) {
    Dataset d;
    d.n = levels.size(), d.rows = 1, d.cols = 4;
    for (auto v : levels) d.images.insert(d.images.end(), 4, v);
    d.labels = labels;
    return d;
}

// Ten classes: class 0 has levels 10, 20, 30, 40 (median 25), class 1 has 50, 100, 200
// (median 100), classes 2…9 one image of level 60 each.
Dataset hand_made() {
    std::vector<std::uint8_t> levels = {10, 40, 20, 30, 100, 50, 200}, labels = {0, 0, 0, 0, 1, 1, 1};
    for (std::uint8_t c = 2; c < 10; ++c) levels.push_back(60), labels.push_back(c);
    return flat_images(levels, labels);
}
}  // namespace

TEST_CASE("the tokenizer maps a caption to padded ids and back", "[captions]") {
    const Tokenizer tok;
    SECTION("round trip, with padding to four tokens") {
        const auto ids = tok.encode("light ankle boot");
        REQUIRE(ids.size() == kCaptionLength);
        REQUIRE(ids[0] == tok.id("light"));
        REQUIRE(ids[1] == tok.id("ankle"));
        REQUIRE(ids[2] == tok.id("boot"));
        REQUIRE(ids[3] == 0);
        REQUIRE(tok.word(0) == "<pad>");
        REQUIRE(tok.decode(ids) == "light ankle boot");
    }
    SECTION("every grammatical caption survives the round trip") {
        for (const auto& c : all_captions(tok)) {
            const std::string text = caption_text(c.label, c.tone, c.paraphrase);
            INFO(text);
            REQUIRE(tok.decode(tok.encode(text)) == text);
            REQUIRE(std::vector<std::size_t>(c.tokens.begin(), c.tokens.end()) == tok.encode(text));
        }
    }
    SECTION("capitals and extra spaces are normalised") {
        REQUIRE(tok.encode("  Dark   T-SHIRT ") == tok.encode("dark t-shirt"));
    }
}

TEST_CASE("the tokenizer refuses an unknown word, naming it and listing the vocabulary", "[captions]") {
    const Tokenizer tok;
    REQUIRE_THROWS_WITH(tok.encode("light purple boot"), Contains("unknown word 'purple'") && Contains("vocabulary is:"));
    try {
        tok.encode("light purple boot");
    } catch (const std::invalid_argument& e) {
        for (const auto& word : tok.words()) {
            INFO(word);
            REQUIRE_THAT(e.what(), Contains(word));
        }
    }
    SECTION("too many words and no words are refused too") {
        REQUIRE_THROWS_WITH(tok.encode("dark ankle boot boot boot"), Contains("5 words; at most 4"));
        REQUIRE_THROWS_WITH(tok.encode("   "), Contains("empty"));
    }
    SECTION("a custom vocabulary must start with <pad> and hold at most 32 words") {
        REQUIRE_THROWS_WITH(Tokenizer({"dark", "<pad>"}), Contains("<pad>"));
        std::vector<std::string> many = {"<pad>"};
        for (int i = 0; i < 32; ++i) many.push_back("w" + std::to_string(i));
        REQUIRE_THROWS_WITH(Tokenizer(many), Contains("at most 32"));
    }
}

TEST_CASE("the caption vocabulary has at most 32 words and covers every paraphrase", "[captions]") {
    const Tokenizer tok;
    REQUIRE(tok.size() <= kMaxVocabulary);
    REQUIRE(tok.size() == 21);
    REQUIRE(std::set<std::string>(tok.words().begin(), tok.words().end()).size() == tok.size());
    const auto grammar = all_captions(tok);
    REQUIRE(grammar.size() == 36);  // 2 tones × 18 paraphrases
    for (const auto& c : grammar) {
        INFO(caption_text(c.label, c.tone, c.paraphrase));
        const auto parsed = parse_caption(c.tokens, tok);
        REQUIRE(parsed.has_value());
        REQUIRE(parsed->label == c.label);
        REQUIRE(parsed->tone == c.tone);
    }
    SECTION("word salad does not parse") {
        REQUIRE_FALSE(parse_caption(tok.encode("dark ankle"), tok).has_value());
        REQUIRE_FALSE(parse_caption(tok.encode("boot dark"), tok).has_value());
        REQUIRE_FALSE(parse_caption(tok.encode("dark boot boot"), tok).has_value());
    }
}

TEST_CASE("the tone word says whether an image is below its class's training-set median", "[captions]") {
    const Dataset train = hand_made();
    const auto medians = class_median_intensity(train);
    REQUIRE_THAT(medians[0], Catch::Matchers::WithinAbs(25.0 / 255.0, 1e-12));   // even count: mean of 20 and 30
    REQUIRE_THAT(medians[1], Catch::Matchers::WithinAbs(100.0 / 255.0, 1e-12));  // odd count: the middle one
    const auto captions = make_captions(train, medians, 1);
    const std::vector<Tone> expected = {Tone::dark, Tone::light, Tone::dark, Tone::light,  // 10 40 20 30 vs 25
                                        Tone::light, Tone::dark, Tone::light};             // 100 50 200 vs 100
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("image " << i);
        REQUIRE(captions[i].tone == expected[i]);
        REQUIRE(captions[i].label == train.labels[i]);
    }
    SECTION("test images are judged by the training medians") {
        const Dataset test = flat_images({24, 26, 99}, {0, 0, 1});
        const auto c = make_captions(test, medians, 1);
        REQUIRE(c[0].tone == Tone::dark);
        REQUIRE(c[1].tone == Tone::light);
        REQUIRE(c[2].tone == Tone::dark);
    }
    SECTION("a class without images is an error naming it") {
        const Dataset missing = flat_images({10, 20}, {0, 1});
        REQUIRE_THROWS_WITH(class_median_intensity(missing), Contains("class 2 (Pullover) has no image"));
    }
}

TEST_CASE("captions are deterministic for a seed and the paraphrase varies with it", "[captions]") {
    std::vector<std::uint8_t> levels, labels;
    for (int i = 0; i < 200; ++i) levels.push_back(std::uint8_t(i)), labels.push_back(std::uint8_t(i % 10));
    const Dataset d = flat_images(levels, labels);
    const auto medians = class_median_intensity(d);
    auto paraphrases = [&](std::uint64_t seed) {
        std::vector<std::size_t> p;
        for (const auto& c : make_captions(d, medians, seed)) p.push_back(c.paraphrase);
        return p;
    };
    REQUIRE(paraphrases(7) == paraphrases(7));
    REQUIRE(paraphrases(7) != paraphrases(8));
    // every paraphrase of a class gets used
    std::set<std::pair<std::size_t, std::size_t>> used;
    for (const auto& c : make_captions(d, medians, 7)) used.insert({c.label, c.paraphrase});
    REQUIRE(used.size() == 18);
}
