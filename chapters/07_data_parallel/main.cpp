// Chapter 07 — data-parallel training over MPI: chapter 03's VAE on N processes.
//
// Read with README.md beside it. Start it with `mpirun -np N ch07_data_parallel`; the program
// follows the README's steps:
//   1. start the ranks: one process per rank, one OpenBLAS thread each
//   2. identical replicas: rank 0's initial weights (or its checkpoint) broadcast to all
//   3. train: each rank takes its slice of the global batch, backward, the gradients averaged
//      by MPI_Allreduce, the same Adam step everywhere; rank 0 prints, checkpoints, draws
//   4. measure: allreduce times and the α–β fit, step times, the scaling-efficiency model
#include <cstdio>
#include <iostream>
#include <numeric>
#include <sstream>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/gemm.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/distributed/communicator.hpp>
#include <mmgen/distributed/gradient_averaging.hpp>
#include <mmgen/distributed/replicas.hpp>
#include <mmgen/distributed/sharded_batcher.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/models/vae.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/report/plot.hpp>
#include <mmgen/report/progress.hpp>

#include "common/options.hpp"
#include "scaling.hpp"

using namespace mmgen;
using namespace mmgen::distributed;
namespace fs = std::filesystem;

// Chapter 03's configuration: global batch 128, Adam 1e-3, latent 20 — the same run on any N.
constexpr std::size_t kEpochs = 10;
constexpr std::size_t kLatent = 20;
// Gradients per MPI_Allreduce call at most (1 MiB of floats: the VAE's gradients in 4 buckets).
constexpr std::size_t kBucketValues = kDefaultBucketValues;
// Step-time measurement: interleaved rounds of steps (medians over all of them).
constexpr int kRounds = 5;
constexpr std::size_t kStepsPerRound = 10;
// A --quick run: this many training images and test images, one epoch, fewer rounds.
constexpr std::size_t kQuickTrain = 6000, kQuickTest = 2000, kQuickEpochs = 1;
constexpr int kQuickRounds = 2;

struct Options {
    chapter::Options common;
    std::string model = "vae";
    bool measure = true;
};

struct History {
    std::vector<double> epoch, train_loss, test_loss;
};

// −ELBO per image over the first n test images, split across the ranks. The noise ε is drawn
// for all n images on every rank from one seeded Rng, so the value is the same for any N.
double test_neg_elbo(const Communicator& world, models::Vae& vae, const data::Dataset& test, std::size_t n,
                     std::uint64_t seed) {
    NoGradGuard no_grad;
    Rng rng(seed);
    const Tensor eps = Tensor::randn({n, vae.config().latent}, rng);  // (n, latent)
    const auto r = std::size_t(world.rank()), ranks = std::size_t(world.size());
    double sum[1] = {0};
    for (std::size_t start = r * n / ranks, end = (r + 1) * n / ranks; start < end; start += 500) {
        std::vector<std::size_t> idx(std::min(end, start + 500) - start);
        std::iota(idx.begin(), idx.end(), start);
        const Tensor x = data::images_to_tensor(test, idx, 0, 1);  // (b, 784)
        sum[0] += double(idx.size()) * vae.negative_elbo(x, slice_rows(eps, start, start + idx.size())).loss.item();
    }
    world.allreduce_sum_double(sum);
    return sum[0] / double(n);
}

// Step 2: identical replicas. Rank 0's weights go to every rank; on --resume rank 0 reads the
// checkpoint (written by a run on any number of ranks) and sends weights, Adam's moments, the
// step count and the Rng state.
TrainingPosition make_replicas_identical(const Communicator& world, models::Vae& vae, optim::Adam& adam, Rng& rng,
                                         const fs::path& state_path, bool resume) {
    int resuming[1] = {0};
    TrainingPosition position;
    if (world.is_root() && resume && fs::exists(state_path)) {
        position = load_training_state(state_path, vae, adam);
        resuming[0] = 1;
        std::fprintf(stderr, "resumed from %s after epoch %lld\n", state_path.string().c_str(), (long long)position.epoch);
    }
    std::int64_t flag[1] = {resuming[0]};
    world.broadcast(std::span<std::int64_t>(flag));
    broadcast_tensors(world, vae.parameters());
    if (flag[0]) broadcast_training_state(world, adam, rng, position);
    return position;
}

// Step 3: synchronous data-parallel training, written out.
History train(const Communicator& world, models::Vae& vae, const data::Dataset& train_set, const data::Dataset& test,
              const Options& o, const fs::path& state_path, Rng& rng) {
    const auto& c = o.common;
    optim::Adam adam(vae.parameters(), static_cast<real>(c.lr));
    TrainingPosition position = make_replicas_identical(world, vae, adam, rng, state_path, c.resume);
    ShardedBatcher batcher(train_set.n, c.batch_size, world.rank(), world.size(), rng,
                           c.quick ? std::optional<std::size_t>(kQuickTrain) : std::nullopt);
    GradientAverager averager(world, vae.parameters(), kBucketValues);
    const std::size_t epochs = c.quick ? kQuickEpochs : c.epochs, n_test = c.quick ? kQuickTest : test.n;
    std::ostringstream quiet;  // ranks other than 0 print nothing
    ProgressLine progress(epochs, batcher.batches_per_epoch(), world.is_root() ? std::cerr : quiet, {});
    History h;
    for (std::size_t epoch = std::size_t(position.epoch) + 1; epoch <= epochs; ++epoch) {
        progress.begin_epoch(epoch);
        for (const auto& shard : batcher.epoch_shards()) {
            const Tensor x = data::images_to_tensor(train_set, shard.indices, 0, 1);     // (B/N, 784)
            const Tensor eps_all = Tensor::randn({shard.global_size, kLatent}, rng);  // (B, latent)
            const Tensor eps = slice_rows(eps_all, shard.offset, shard.offset + shard.indices.size());  // (B/N, latent): its rows
            adam.zero_grad();
            const auto terms = vae.negative_elbo(x, eps);  // the mean over this rank's B/N images
            terms.loss.backward();
            averager.average(shard.weight());  // g ← Σ_r (n_r / n) g_r: the gradient of the global batch
            adam.step();                       // the same step on every replica
            double t[3] = {shard.weight() * terms.loss.item(), shard.weight() * terms.reconstruction.item(),
                           shard.weight() * terms.kl.item()};
            world.allreduce_sum_double(t);  // the global batch's loss terms, for the log
            check_finite(std::size_t(++position.step), {{"reconstruction", t[1]}, {"kl", t[2]}});
            progress.step(shard.global_size, {{"-elbo", t[0]}, {"rec", t[1]}, {"kl", t[2]}});
        }
        const Terms means = progress.end_epoch();
        const double test_loss = test_neg_elbo(world, vae, test, n_test, c.seed + epoch);
        if (world.is_root()) std::fprintf(stderr, "  test -elbo %.2f\n", test_loss);
        h.epoch.push_back(double(epoch)), h.train_loss.push_back(means[0].second), h.test_loss.push_back(test_loss);
        position.epoch = std::int64_t(epoch);
        position.rng_state = rng.state();
        if (world.is_root())
            save_training_state(state_path, vae, adam, position, {{"ranks", std::to_string(world.size())}});
    }
    return h;
}

int run(const Options& o) {
    const auto& c = o.common;
    // 1. start the ranks
    const Communicator world = Communicator::world();
    const bool root = world.is_root();
    if (o.model != "vae")
        throw std::invalid_argument("--model " + o.model + ": only 'vae' is written; chapter 05's DCGAN is not data-parallel yet");
    const std::size_t local_batch = local_batch_size(c.batch_size, world.size(), "--batch-size");
    set_blas_threads(c.threads);
    Rng rng(c.seed);  // the same seed on every rank: the same batches and noise everywhere
    models::Vae vae({784, 400, kLatent}, rng);
    const auto train_set = data::load_fashion_mnist(c.data_dir, "train");
    const auto test = data::load_fashion_mnist(c.data_dir, "test");
    if (root)
        std::printf("VAE 784 → 400 → (%zu, %zu), %zu → 400 → 784: %zu parameters on %d ranks × %d thread(s); "
                    "global batch %zu = %d × %zu\n",
                    kLatent, kLatent, kLatent, vae.parameter_count(), world.size(), c.threads, c.batch_size,
                    world.size(), local_batch);

    // 2 and 3. identical replicas, then train
    Stopwatch clock;
    const fs::path state = fs::path(c.checkpoint_dir) / (c.quick ? "training-quick.safetensors" : "training.safetensors");
    const History h = train(world, vae, train_set, test, o, state, rng);
    const double train_seconds = clock.seconds();
    if (!replicas_agree(world, vae.parameters()))
        throw std::logic_error("the replicas' weights differ after training: a rank stepped on other gradients");

    // 4. measure
    chapter07::Scaling scaling;
    if (o.measure) {
        if (root) std::printf("\n== measuring: allreduce sweep, step times (interleaved rounds)\n");
        scaling = chapter07::measure_scaling(world, train_set, vae.config(), c.batch_size, c.quick ? kQuickRounds : kRounds,
                                             kStepsPerRound, kBucketValues);
    }

    if (root) {  // only rank 0 writes: figures, metrics, weights
        const fs::path out = c.out;
        save_module(fs::path(c.checkpoint_dir) / "vae-latent20.safetensors", vae);
        {
            NoGradGuard no_grad;
            write_grid_png(out / "prior_samples.png", sigmoid(vae.decode(Tensor::randn({100, kLatent}, rng))), 28, 28, 10, 10, 0, 1, 2);
        }
        plot::line_plot(out / "neg_elbo.png", "-ELBO per image on " + std::to_string(world.size()) + " ranks (nats)", "epoch",
                        "nats", {{"train", h.epoch, h.train_loss}, {"test", h.epoch, h.test_loss}});
        if (o.measure) chapter07::plot_scaling(scaling, out);

        MetricsJson metrics(out);
        metrics["ranks"] = world.size();
        metrics["threads_per_rank"] = c.threads;
        metrics["global_batch"] = c.batch_size;
        metrics["local_batch"] = local_batch;
        metrics["epochs"] = h.epoch.empty() ? 0.0 : h.epoch.back();
        metrics["test_neg_elbo"] = h.test_loss.empty() ? 0.0 : h.test_loss.back();
        metrics["train_seconds"] = train_seconds;
        metrics["quick"] = c.quick;
        metrics["history"] = {{"epoch", h.epoch}, {"train_neg_elbo", h.train_loss}, {"test_neg_elbo", h.test_loss}};
        if (o.measure) metrics["scaling"] = chapter07::scaling_json(scaling);
        metrics.write();

        SummaryTable summary({"metric", "value"});
        summary.add_row({"ranks × threads", std::to_string(world.size()) + " × " + std::to_string(c.threads)});
        summary.add_row({"test −ELBO (nats/image)", SummaryTable::Cell(metrics["test_neg_elbo"].get<double>(), 5)});
        summary.add_row({"training seconds", SummaryTable::Cell(train_seconds, 3)});
        if (o.measure) {
            const std::string n = std::to_string(world.size());
            summary.add_row({"allreduce of " + std::to_string(scaling.gradient_values) + " gradients, " + n + " ranks (ms)",
                             SummaryTable::Cell(1e3 * scaling.allreduce_ranks, 3)});
            summary.add_row({"  the same on 1 rank (ms)", SummaryTable::Cell(1e3 * scaling.allreduce_one, 3)});
            summary.add_row({"step, " + n + " ranks × 1 thread (ms)", SummaryTable::Cell(1e3 * scaling.step_ranks, 3)});
            summary.add_row({"  of which compute (ms)", SummaryTable::Cell(1e3 * scaling.compute_ranks, 3)});
            summary.add_row({"step, 1 process × " + n + " threads (ms)", SummaryTable::Cell(1e3 * scaling.step_one, 3)});
            summary.add_row({"images/s, " + n + " ranks × 1 thread", SummaryTable::Cell(c.batch_size / scaling.step_ranks, 4)});
            summary.add_row({"images/s, 1 process × " + n + " threads", SummaryTable::Cell(c.batch_size / scaling.step_one, 4)});
            if (world.size() >= 2) {
                summary.add_row({"fitted α (µs)", SummaryTable::Cell(1e6 * scaling.link.alpha, 3)});
                summary.add_row({"fitted 1/β (GB/s)", SummaryTable::Cell(1e-9 / scaling.link.beta, 3)});
            }
        }
        std::printf("\n");
        summary.print(std::cout);
        std::printf("\nfigures and metrics.json in %s; checkpoint in %s\n", out.string().c_str(), c.checkpoint_dir.c_str());
    }
    return 0;
}

int main(int argc, char** argv) {
    MpiSession mpi(argc, argv);
    Options o;
    o.common.chapter = "07_data_parallel";
    o.common.epochs = kEpochs;
    o.common.threads = 1;  // one OpenBLAS thread per rank: ranks × threads should not exceed the cores
    CLI::App app{"Chapter 07: data-parallel training of chapter 03's VAE over MPI (start with mpirun -np N)"};
    chapter::add_common_options(app, o.common);
    app.add_option("--model", o.model, "the model to train: vae (chapter 05's dcgan is not data-parallel yet)")->capture_default_str();
    app.add_flag("!--no-measure", o.measure, "skip the allreduce and step-time measurements");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {  // every rank parses the same flags: rank 0 speaks, all exit
        if (Communicator::world().is_root()) app.exit(e);
        return e.get_exit_code() == 0 ? 0 : 2;
    }
    return run_guarded("ch07_data_parallel", [&] { return run(o); });
}
