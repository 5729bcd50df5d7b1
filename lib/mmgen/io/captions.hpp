#pragma once
// Captions for Fashion-MNIST: the text modality of chapter 04.
//
// Every image gets a short caption — a tone word, then the class named by one of its
// paraphrases — padded to kCaptionLength tokens:
//
//     "dark ankle boot <pad>"     "light tee <pad> <pad>"     "dark trousers <pad> <pad>"
//
//   tone        "dark" when the image's mean intensity is below the median mean intensity of
//               its class in the *training* set, else "light" (so each class splits in half,
//               and test images are judged by the training-set medians)
//   class       one of the paraphrases in kParaphrases, drawn per example from the seed
//   padding     "<pad>" (id 0) fills the caption to kCaptionLength tokens
//
// The grammar is documented in data/README.md. The Tokenizer turns words into ids and back and
// refuses any word outside the vocabulary, naming it and listing the vocabulary.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <mmgen/io/data.hpp>

namespace mmgen::data {

// Tokens per caption, padding included: the text decoder predicts this many categoricals.
inline constexpr std::size_t kCaptionLength = 4;
// The largest vocabulary the chapter allows (the caption vocabulary below has 21 words).
inline constexpr std::size_t kMaxVocabulary = 32;
inline constexpr const char* kPad = "<pad>";

// The ways each class is named, in class order (data::kClassNames). A paraphrase may be more
// than one word ("ankle boot"); its words count against kCaptionLength together with the tone.
inline const std::array<std::vector<std::string>, kNumClasses> kParaphrases = {{
    {"t-shirt", "tee", "top"},   // 0 T-shirt/top
    {"trousers", "pants"},       // 1 Trouser
    {"pullover", "sweater"},     // 2 Pullover
    {"dress"},                   // 3 Dress
    {"coat", "jacket"},          // 4 Coat
    {"sandal"},                  // 5 Sandal
    {"shirt"},                   // 6 Shirt
    {"sneaker", "trainer"},      // 7 Sneaker
    {"bag", "handbag"},          // 8 Bag
    {"ankle boot", "boot"},      // 9 Ankle boot
}};

enum class Tone { dark = 0, light = 1 };
const char* tone_word(Tone tone);  // "dark", "light"

// Words ↔ ids over a fixed vocabulary whose id 0 is "<pad>".
class Tokenizer {
public:
    // The caption vocabulary: <pad>, dark, light, then every word of kParaphrases in class order.
    Tokenizer();
    // A custom vocabulary; words[0] must be "<pad>", words unique, non-empty, without spaces.
    explicit Tokenizer(std::vector<std::string> words);

    std::size_t size() const { return words_.size(); }
    const std::vector<std::string>& words() const { return words_; }
    const std::string& word(std::size_t id) const;  // throws std::out_of_range naming the id
    // The id of a word; throws std::invalid_argument "unknown word 'x'; the vocabulary is: …".
    std::size_t id(std::string_view word) const;

    // Splits `text` at whitespace (ASCII letters lower-cased) and maps each word to its id,
    // padding with <pad> to `length` ids. Throws std::invalid_argument for an unknown word
    // (naming it and listing the vocabulary), an empty text, or more than `length` words.
    std::vector<std::size_t> encode(std::string_view text, std::size_t length = kCaptionLength) const;
    // The words of `ids` joined by spaces, <pad> left out: decode(encode(t)) is t normalised.
    std::string decode(std::span<const std::size_t> ids) const;

    // "<pad>, dark, light, t-shirt, …": what the unknown-word message lists.
    std::string vocabulary_list() const;

private:
    std::vector<std::string> words_;
};

// The mean grey level of one image of bytes, in [0, 1].
double mean_intensity(std::span<const std::uint8_t> image);

// Per class, the median over the dataset's images of their mean intensity (in [0, 1]); for an
// even count, the mean of the two middle values. Computed on the training set, it is the
// threshold between "dark" and "light" for training and test images alike. Throws DataError
// if a class has no image.
std::array<double, kNumClasses> class_median_intensity(const Dataset& train);

// "dark" when mean_intensity < the class's median, else "light".
Tone tone_of(double mean_intensity, std::size_t label, const std::array<double, kNumClasses>& medians);

// One image's caption.
struct Caption {
    std::size_t label = 0;       // the class it names
    Tone tone = Tone::dark;
    std::size_t paraphrase = 0;  // index into kParaphrases[label]
    std::array<std::size_t, kCaptionLength> tokens{};  // ids, padded with 0
};

// "light ankle boot"
std::string caption_text(std::size_t label, Tone tone, std::size_t paraphrase);

// A caption for every image of `dataset`: the tone from its mean intensity and `medians`, the
// paraphrase drawn uniformly per example from Rng(seed) in dataset order — the same seed gives
// the same captions.
std::vector<Caption> make_captions(const Dataset& dataset, const std::array<double, kNumClasses>& medians,
                                   std::uint64_t seed, const Tokenizer& tokenizer = Tokenizer());

// Every grammatical caption: 2 tones × every paraphrase of every class (36 with kParaphrases),
// in class order, dark before light. The chapter picks "the most likely caption" among these.
std::vector<Caption> all_captions(const Tokenizer& tokenizer = Tokenizer());

// The class and tone a token sequence states, if it is a grammatical caption: a tone word, one
// paraphrase's words, then only <pad>. Anything else (an unknown order, a dangling "ankle")
// gives nullopt.
std::optional<Caption> parse_caption(std::span<const std::size_t> tokens, const Tokenizer& tokenizer = Tokenizer());

}  // namespace mmgen::data
