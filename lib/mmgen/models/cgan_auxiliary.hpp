#pragma once
// The conditional GAN's auxiliary classifier (AC-GAN, Odena et al. 2017), on top of the
// projection D of models/cgan.hpp. D gets a second head on its features, class logits
// c(φ(x)) (B, K) over the K = 20 captions (class × tone), and both players add a cross-entropy
// term to their GAN loss:
//
//   L_D = BCE(D(x, y), 1) + BCE(D(G(z, y), y), 0) + w · CE(c(φ(x)), k(y))          real images only
//   L_G = BCE(D(G(z, y), y), 1)                     + w · CE(c(φ(G(z, y))), k(y))    G's images
//
// k(y) the caption's class. D's head learns on real images what each caption looks like; G is
// pulled towards images that head puts in the caption's class. Odena et al. also train the head
// on G's images (labelled with the caption they were drawn for); this head does not: a head
// trained on G's mistakes learns to accept them, and the pull on G weakens exactly where G is
// wrong. With w = 0 the two steps are gan.hpp's discriminator_step and generator_step on the
// players bound to their captions, to the bit (tests/test_cgan_auxiliary.cpp).
//
// The price, which Miyato & Koyama (2018) name as projection's motivation: the cross-entropy
// rewards images that are *easy* to classify, so G may draw the caption's most typical images
// only — less varied than the data. Chapter 06 measures that as the diversity.
#include <cstddef>
#include <vector>

#include <mmgen/io/captions.hpp>
#include <mmgen/models/cgan.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/nn/optim.hpp>

namespace mmgen::models {

constexpr std::size_t kCaptionClasses = 20;  // 10 classes × 2 tones
// A caption's class for the auxiliary head: 2 · label + tone, in [0, 20).
std::size_t caption_class(std::size_t label, data::Tone tone);

// The two losses above, for one batch: real and fake images (B, 784), the captions y (B · L)
// and their classes k(y) (B). `fake` is used as given (the D step passes it detached).
Tensor auxiliary_discriminator_loss(ConditionalDiscriminator& d, const Tensor& real_images, const Tensor& fake,
                                    const std::vector<std::size_t>& tokens, const std::vector<std::size_t>& classes,
                                    real weight);
Tensor auxiliary_generator_loss(ConditionalDiscriminator& d, const Tensor& fake, const std::vector<std::size_t>& tokens,
                                const std::vector<std::size_t>& classes, real weight);

struct AuxiliaryStats {
    double loss = 0;        // the whole loss of the step
    double d_real = 0;      // mean D(x, y) (D's step) — before the update
    double d_fake = 0;      // mean D(G(z, y), y) — before the update (D's step), under the updated D (G's)
    double classifier = 0;  // the cross-entropy term alone (before × w)
};
// One step of D on L_D and one of G on L_G, as gan.hpp's steps: D's step does not touch G (the
// fake batch detached); G's step leaves D exactly as it found it (parameters and batch-norm
// statistics). `fake` must carry G's graph.
AuxiliaryStats auxiliary_discriminator_step(ConditionalDiscriminator& d, optim::Optimizer& d_optimizer,
                                            const Tensor& real_images, const Tensor& fake,
                                            const std::vector<std::size_t>& tokens,
                                            const std::vector<std::size_t>& classes, real weight);
AuxiliaryStats auxiliary_generator_step(ConditionalDiscriminator& d, optim::Optimizer& g_optimizer, const Tensor& fake,
                                        const std::vector<std::size_t>& tokens, const std::vector<std::size_t>& classes,
                                        real weight);

}  // namespace mmgen::models
