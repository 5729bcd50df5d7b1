#include <mmgen/io/captions.hpp>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

namespace mmgen::data {

namespace {
std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    for (char ch : text) {
        if (std::isspace(static_cast<unsigned char>(ch))) {
            if (!word.empty()) words.push_back(std::move(word)), word.clear();
        } else {
            word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

std::vector<std::string> caption_vocabulary() {
    std::vector<std::string> words = {kPad, "dark", "light"};
    for (const auto& names : kParaphrases)
        for (const auto& name : names)
            for (auto& w : split_words(name))
                if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
    return words;
}
}  // namespace

const char* tone_word(Tone tone) { return tone == Tone::dark ? "dark" : "light"; }

// --- Tokenizer -------------------------------------------------------------------------------

Tokenizer::Tokenizer() : Tokenizer(caption_vocabulary()) {}

Tokenizer::Tokenizer(std::vector<std::string> words) : words_(std::move(words)) {
    if (words_.empty() || words_[0] != kPad)
        throw std::invalid_argument("Tokenizer: the vocabulary must start with \"<pad>\" (id 0)");
    if (words_.size() > kMaxVocabulary)
        throw std::invalid_argument("Tokenizer: " + std::to_string(words_.size()) + " words, at most " +
                                    std::to_string(kMaxVocabulary) + " allowed");
    for (std::size_t i = 0; i < words_.size(); ++i) {
        const auto& w = words_[i];
        if (w.empty() || std::any_of(w.begin(), w.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
            throw std::invalid_argument("Tokenizer: word " + std::to_string(i) + " '" + w +
                                        "' is empty or contains whitespace");
        if (std::find(words_.begin(), words_.begin() + static_cast<std::ptrdiff_t>(i), w) !=
            words_.begin() + static_cast<std::ptrdiff_t>(i))
            throw std::invalid_argument("Tokenizer: the word '" + w + "' appears twice");
    }
}

const std::string& Tokenizer::word(std::size_t id) const {
    if (id >= words_.size())
        throw std::out_of_range("Tokenizer::word: id " + std::to_string(id) + " is outside a vocabulary of " +
                                std::to_string(words_.size()) + " words");
    return words_[id];
}

std::string Tokenizer::vocabulary_list() const {
    std::string list;
    for (const auto& w : words_) list += (list.empty() ? "" : ", ") + w;
    return list;
}

std::size_t Tokenizer::id(std::string_view word) const {
    const auto it = std::find(words_.begin(), words_.end(), word);
    if (it == words_.end())
        throw std::invalid_argument("unknown word '" + std::string(word) + "'; the vocabulary is: " + vocabulary_list());
    return static_cast<std::size_t>(it - words_.begin());
}

std::vector<std::size_t> Tokenizer::encode(std::string_view text, std::size_t length) const {
    const auto words = split_words(text);
    if (words.empty()) throw std::invalid_argument("Tokenizer::encode: the caption \"" + std::string(text) + "\" is empty");
    if (words.size() > length)
        throw std::invalid_argument("Tokenizer::encode: the caption \"" + std::string(text) + "\" has " +
                                    std::to_string(words.size()) + " words; at most " + std::to_string(length) +
                                    " fit");
    std::vector<std::size_t> ids(length, 0);  // <pad>
    for (std::size_t i = 0; i < words.size(); ++i) {
        try {
            ids[i] = id(words[i]);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("caption \"" + std::string(text) + "\": " + e.what());
        }
    }
    return ids;
}

std::string Tokenizer::decode(std::span<const std::size_t> ids) const {
    std::string text;
    for (auto i : ids)
        if (i != 0) text += (text.empty() ? "" : " ") + word(i);
    return text;
}

// --- tone ------------------------------------------------------------------------------------

double mean_intensity(std::span<const std::uint8_t> image) {
    if (image.empty()) return 0;
    std::uint64_t total = 0;
    for (auto v : image) total += v;
    return static_cast<double>(total) / (255.0 * static_cast<double>(image.size()));
}

std::array<double, kNumClasses> class_median_intensity(const Dataset& train) {
    std::array<std::vector<double>, kNumClasses> per_class;
    for (std::size_t i = 0; i < train.n; ++i) per_class.at(train.labels[i]).push_back(mean_intensity(train.image(i)));
    std::array<double, kNumClasses> medians{};
    for (std::size_t c = 0; c < kNumClasses; ++c) {
        auto& v = per_class[c];
        if (v.empty())
            throw DataError("class_median_intensity: class " + std::to_string(c) + " (" + kClassNames[c] +
                            ") has no image in a dataset of " + std::to_string(train.n));
        std::sort(v.begin(), v.end());
        const std::size_t h = v.size() / 2;
        medians[c] = v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
    }
    return medians;
}

Tone tone_of(double intensity, std::size_t label, const std::array<double, kNumClasses>& medians) {
    return intensity < medians.at(label) ? Tone::dark : Tone::light;
}

// --- captions --------------------------------------------------------------------------------

std::string caption_text(std::size_t label, Tone tone, std::size_t paraphrase) {
    return std::string(tone_word(tone)) + " " + kParaphrases.at(label).at(paraphrase);
}

namespace {
Caption make_caption(std::size_t label, Tone tone, std::size_t paraphrase, const Tokenizer& tokenizer) {
    Caption c{label, tone, paraphrase, {}};
    const auto ids = tokenizer.encode(caption_text(label, tone, paraphrase));
    std::copy(ids.begin(), ids.end(), c.tokens.begin());
    return c;
}
}  // namespace

std::vector<Caption> make_captions(const Dataset& dataset, const std::array<double, kNumClasses>& medians,
                                   std::uint64_t seed, const Tokenizer& tokenizer) {
    // the 36 captions encoded once; an example's caption is then a lookup
    const auto every = all_captions(tokenizer);
    auto find = [&](std::size_t label, Tone tone, std::size_t paraphrase) -> const Caption& {
        for (const auto& c : every)
            if (c.label == label && c.tone == tone && c.paraphrase == paraphrase) return c;
        throw std::logic_error("make_captions: missing caption");
    };
    Rng rng(seed);
    std::vector<Caption> captions;
    captions.reserve(dataset.n);
    for (std::size_t i = 0; i < dataset.n; ++i) {
        const std::size_t label = dataset.labels.at(i);
        const Tone tone = tone_of(mean_intensity(dataset.image(i)), label, medians);
        captions.push_back(find(label, tone, rng.below(kParaphrases[label].size())));
    }
    return captions;
}

std::vector<Caption> all_captions(const Tokenizer& tokenizer) {
    std::vector<Caption> captions;
    for (std::size_t label = 0; label < kNumClasses; ++label)
        for (Tone tone : {Tone::dark, Tone::light})
            for (std::size_t p = 0; p < kParaphrases[label].size(); ++p)
                captions.push_back(make_caption(label, tone, p, tokenizer));
    return captions;
}

std::optional<Caption> parse_caption(std::span<const std::size_t> tokens, const Tokenizer& tokenizer) {
    if (tokens.size() != kCaptionLength) return std::nullopt;
    for (const auto& c : all_captions(tokenizer))
        if (std::equal(tokens.begin(), tokens.end(), c.tokens.begin())) return c;
    return std::nullopt;
}

}  // namespace mmgen::data
