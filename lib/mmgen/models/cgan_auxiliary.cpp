#include <mmgen/models/cgan_auxiliary.hpp>

#include <stdexcept>
#include <string>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/models/module_guards.hpp>
#include <mmgen/nn/losses.hpp>

namespace mmgen::models {

namespace {
struct Terms {
    Tensor loss, real_logits, fake_logits, classifier;  // classifier undefined when w = 0
};

void check(const ConditionalDiscriminator& d, const std::vector<std::size_t>& classes, std::size_t batch, real weight) {
    if (weight < 0) throw std::invalid_argument("auxiliary classifier: the weight w must be ≥ 0, got " + std::to_string(weight));
    if (weight > 0 && !d.classify)
        throw std::invalid_argument("auxiliary classifier: w = " + std::to_string(weight) +
                                    " but D has no auxiliary head (CganConfig::auxiliary_classes is 0)");
    if (weight > 0 && classes.size() != batch)
        throw std::invalid_argument("auxiliary classifier: " + std::to_string(classes.size()) + " classes for a batch of " +
                                    std::to_string(batch));
}

Terms discriminator_terms(ConditionalDiscriminator& d, const Tensor& real_images, const Tensor& fake,
                          const std::vector<std::size_t>& tokens, const std::vector<std::size_t>& classes, real weight) {
    check(d, classes, real_images.dim(0), weight);
    Terms t;
    const Tensor phi_real = d.features(real_images);  // φ(x) (B, F)
    t.real_logits = d.score(phi_real, tokens);        // (B, 1)
    t.fake_logits = d(fake, tokens);                  // (B, 1), batch norm on the fakes' own statistics
    t.loss = discriminator_loss(t.real_logits, t.fake_logits);
    if (weight > 0) {
        t.classifier = cross_entropy(d.class_logits(phi_real), classes);  // the head learns on real images only
        t.loss = t.loss + weight * t.classifier;
    }
    return t;
}

Terms generator_terms(ConditionalDiscriminator& d, const Tensor& fake, const std::vector<std::size_t>& tokens,
                      const std::vector<std::size_t>& classes, real weight) {
    check(d, classes, fake.dim(0), weight);
    Terms t;
    const Tensor phi = d.features(fake);  // φ(G(z, y)) (B, F)
    t.fake_logits = d.score(phi, tokens);
    t.loss = generator_loss_non_saturating(t.fake_logits);
    if (weight > 0) {
        t.classifier = cross_entropy(d.class_logits(phi), classes);  // G's images in their caption's class
        t.loss = t.loss + weight * t.classifier;
    }
    return t;
}
}  // namespace

std::size_t caption_class(std::size_t label, data::Tone tone) { return 2 * label + static_cast<std::size_t>(tone); }

Tensor auxiliary_discriminator_loss(ConditionalDiscriminator& d, const Tensor& real_images, const Tensor& fake,
                                    const std::vector<std::size_t>& tokens, const std::vector<std::size_t>& classes,
                                    real weight) {
    return discriminator_terms(d, real_images, fake, tokens, classes, weight).loss;
}

Tensor auxiliary_generator_loss(ConditionalDiscriminator& d, const Tensor& fake, const std::vector<std::size_t>& tokens,
                                const std::vector<std::size_t>& classes, real weight) {
    return generator_terms(d, fake, tokens, classes, weight).loss;
}

AuxiliaryStats auxiliary_discriminator_step(ConditionalDiscriminator& d, optim::Optimizer& d_optimizer,
                                            const Tensor& real_images, const Tensor& fake,
                                            const std::vector<std::size_t>& tokens,
                                            const std::vector<std::size_t>& classes, real weight) {
    d_optimizer.zero_grad();
    Terms t = discriminator_terms(d, real_images, fake.detach(), tokens, classes, weight);  // detach: G untouched
    d_optimizer.backward_and_step(t.loss);
    return {t.loss.item(), mean_probability(t.real_logits), mean_probability(t.fake_logits),
            t.classifier.defined() ? double(t.classifier.item()) : 0.0};
}

AuxiliaryStats auxiliary_generator_step(ConditionalDiscriminator& d, optim::Optimizer& g_optimizer, const Tensor& fake,
                                        const std::vector<std::size_t>& tokens, const std::vector<std::size_t>& classes,
                                        real weight) {
    if (!fake.requires_grad())
        throw std::invalid_argument("auxiliary_generator_step: the fake batch " + fake.shape_str() +
                                    " carries no graph back to G");
    g_optimizer.zero_grad();
    const FrozenModule frozen(d);  // D a constant of G's loss; its batch-norm statistics put back after
    Terms t = generator_terms(d, fake, tokens, classes, weight);
    g_optimizer.backward_and_step(t.loss);
    return {t.loss.item(), 0.0, mean_probability(t.fake_logits), t.classifier.defined() ? double(t.classifier.item()) : 0.0};
}

}  // namespace mmgen::models
