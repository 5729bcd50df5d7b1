// Part 1: the convolutional autoencoder (skeleton; the model lands in lib/mmgen/models/conv_autoencoder).
#include "chapter05.hpp"

namespace chapter05 {

PartOutcome run_autoencoder(PartContext& ctx) {
    ctx.summary.add_row({"ae", "not built yet", "-"});
    return {};
}

}  // namespace chapter05
