// Part 2: the convolutional VAE (skeleton; the model lands in lib/mmgen/models/conv_vae).
#include <cstdio>

#include "chapter05.hpp"

namespace chapter05 {

PartOutcome run_vae(PartContext& ctx) {
    ctx.summary.add_row({"vae", "not built yet", "-"});
    return {};
}

int reconstruct_file(const Options&) {
    std::fprintf(stderr, "ch05_convolutional: --reconstruct is not built yet\n");
    return 1;
}

}  // namespace chapter05
