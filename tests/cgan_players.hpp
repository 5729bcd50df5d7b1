#pragma once
// Chapter 06's caption-conditioned players at a size central differences can afford, shared by
// test_cgan.cpp and test_cgan_auxiliary.cpp: 2 channels, latent 3, word embeddings of 4, G's
// caption code 3, D's features 5; the 28 × 28 shapes and the vocabulary are the chapter's.
#include <string>
#include <vector>

#include <mmgen/io/captions.hpp>
#include <mmgen/models/cgan.hpp>

namespace mmgen::test {

inline models::CganConfig tiny_cgan_config(models::Conditioning conditioning = models::Conditioning::projection,
                                           std::size_t auxiliary_classes = 0) {
    models::CganConfig c;
    c.latent = 3, c.embedding = 4, c.condition = 3, c.features = 5;
    c.generator_channels = 2, c.discriminator_channels = 2;
    c.conditioning = conditioning;
    c.auxiliary_classes = auxiliary_classes;
    return c;
}

// The token ids of some captions, one after the other: (texts.size() · 4).
inline std::vector<std::size_t> caption_ids(const std::vector<std::string>& texts) {
    const data::Tokenizer tok;
    std::vector<std::size_t> ids;
    for (const auto& t : texts) {
        const auto c = tok.encode(t);
        ids.insert(ids.end(), c.begin(), c.end());
    }
    return ids;
}

}  // namespace mmgen::test
