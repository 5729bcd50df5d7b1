#include <mmgen/models/vae_training.hpp>

#include <cstdint>
#include <cstdio>

#include <mmgen/io/checkpoint.hpp>
#include <mmgen/models/vae_eval.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/report/progress.hpp>

namespace mmgen::models {

VaeHistory train_vae(Vae& vae, const data::Dataset& train, const data::Dataset& test, const VaeTraining& s,
                     const std::filesystem::path& state, Rng& rng) {
    optim::Adam adam(vae.parameters(), static_cast<real>(s.lr));
    data::Batcher batcher(train.n, s.batch_size, rng, false, s.train_limit);
    const std::size_t latent = vae.config().latent;
    const real beta = static_cast<real>(s.beta);
    TrainingPosition position = resume_or_start(state, s.resume, vae, adam, rng);
    VaeHistory h;
    ProgressLine progress(s.epochs, batcher.batches_per_epoch());
    for (std::size_t epoch = std::size_t(position.epoch) + 1; epoch <= s.epochs; ++epoch) {
        vae.train();
        progress.begin_epoch(epoch);
        for (const auto& idx : batcher.epoch_batches()) {
            const Tensor x = data::images_to_tensor(train, idx, 0, 1);      // (B, 784), grey levels in [0, 1]
            const Tensor noise = Tensor::randn({idx.size(), latent}, rng);  // ε ~ N(0, I), (B, latent)
            adam.zero_grad();
            const auto terms = vae.negative_elbo(x, noise, beta);
            adam.backward_and_step(terms.loss);  // backward() then step(), fused (optim.hpp)
            const double loss = terms.loss.item(), rec = terms.reconstruction.item(), kl = terms.kl.item();
            check_finite(std::size_t(++position.step), {{"reconstruction", rec}, {"kl", kl}});
            progress.step(idx.size(), {{"-elbo", loss}, {"rec", rec}, {"kl", kl}});
        }
        const Terms means = progress.end_epoch();
        const ElboValues t = mean_negative_elbo(vae, test, s.test_limit, rng, beta);
        std::fprintf(stderr, "  test -elbo %.2f  rec %.2f  kl %.2f\n", t.loss, t.reconstruction, t.kl);
        h.epoch.push_back(double(epoch));
        h.train_loss.push_back(means[0].second), h.train_rec.push_back(means[1].second), h.train_kl.push_back(means[2].second);
        h.test_loss.push_back(t.loss), h.test_rec.push_back(t.reconstruction), h.test_kl.push_back(t.kl);
        position.epoch = std::int64_t(epoch);
        position.rng_state = rng.state();
        save_training_state(state, vae, adam, position);
    }
    vae.eval();
    return h;
}

}  // namespace mmgen::models
