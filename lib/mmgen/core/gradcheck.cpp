#include <mmgen/core/gradcheck.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

#include <mmgen/core/autograd.hpp>

namespace mmgen {

namespace {
// L(x + ε) − L(x − ε) = Σ u · (y⁺ − y⁻), in double, output by output: outputs the perturbation
// does not reach cancel exactly, instead of leaving the round-off of a large total L behind
// (which, divided by 2ε, would swamp small derivatives once y has a few hundred values).
double weighted_difference(const std::vector<real>& plus, const Tensor& minus, const std::vector<real>& u) {
    double total = 0;
    const auto ms = minus.data();
    for (std::size_t i = 0; i < ms.size(); ++i)
        total += static_cast<double>(u[i]) * (static_cast<double>(plus[i]) - static_cast<double>(ms[i]));
    return total;
}

bool near_kink(double value, const GradcheckOptions& o) {
    return std::any_of(o.kinks.begin(), o.kinks.end(), [&](double k) { return std::abs(value - k) < o.kink_margin; });
}
}  // namespace

GradcheckResult gradcheck(const std::string& name, const GradcheckFn& f, const std::vector<Tensor>& inputs, Rng& rng,
                          const GradcheckOptions& options) {
    GradcheckResult result;
    std::vector<Tensor> xs = inputs;
    for (auto& x : xs)
        if (x.requires_grad()) x.zero_grad();

    // analytic gradients from one backward pass with a random upstream gradient u
    Tensor y = f(xs);
    std::vector<real> u(y.numel());
    rng.fill_normal(u);
    y.backward(Tensor::from_data(y.shape(), u));
    y = Tensor();  // free the graph

    NoGradGuard no_grad;
    for (std::size_t k = 0; k < xs.size(); ++k) {
        Tensor& x = xs[k];
        if (!x.requires_grad()) continue;
        const std::vector<real> analytic(x.grad().begin(), x.grad().end());
        auto values = x.data();
        for (std::size_t i = 0; i < values.size(); ++i) {
            const real original = values[i];
            if (near_kink(original, options)) {
                ++result.skipped;
                continue;
            }
            const real up = static_cast<real>(original + options.eps);
            const real down = static_cast<real>(original - options.eps);
            values[i] = up;
            const std::vector<real> plus = f(xs).to_vector();  // a copy: f may hand back shared values
            values[i] = down;
            const double difference = weighted_difference(plus, f(xs), u);
            values[i] = original;
            // divided by the step actually taken, which rounding to `real` may have changed
            const double numeric = difference / (static_cast<double>(up) - static_cast<double>(down));
            const double a = analytic.empty() ? 0.0 : static_cast<double>(analytic[i]);
            const double err = std::abs(a - numeric) / std::max({std::abs(a), std::abs(numeric), options.floor});
            ++result.checked;
            if (err > result.max_relative_error || std::isnan(err)) {
                result.max_relative_error = std::isnan(err) ? INFINITY : err;
                result.input = k;
                result.index = i;
                result.shape = x.shape();
                result.analytic = a;
                result.numeric = numeric;
            }
        }
    }
    result.ok = result.max_relative_error <= options.tolerance;
    std::ostringstream msg;
    msg.precision(10);
    msg << "gradcheck '" << name << "': ";
    if (result.checked == 0)
        msg << "no values compared";
    else
        msg << "input " << result.input << " of shape " << shape_string(result.shape) << ", index " << result.index
            << ": received derivative " << result.analytic << ", expected " << result.numeric
            << " from central difference (relative error " << result.max_relative_error
            << (result.ok ? " <= " : " > ") << "tolerance " << options.tolerance << "; " << result.checked
            << " values checked, " << result.skipped << " skipped at kinks)";
    result.message = msg.str();
    if (result.checked == 0) result.ok = false;  // a check that compared nothing proves nothing
    return result;
}

}  // namespace mmgen
