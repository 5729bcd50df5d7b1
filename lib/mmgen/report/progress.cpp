#include <mmgen/report/progress.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>

namespace mmgen {

namespace {

// A number with `digits` significant digits: 0.4121, 3.102, 1.5e-05.
std::string number(double v, int digits = 4) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
    return buffer;
}

// Characters on screen: UTF-8 code points (continuation bytes 10xxxxxx do not count), so
// "−" and "≥" take one column like any letter.
std::size_t display_width(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_terminal(const std::ostream& out) {
    if (&out == &std::cerr || &out == &std::clog) return ::isatty(STDERR_FILENO) == 1;
    if (&out == &std::cout) return ::isatty(STDOUT_FILENO) == 1;
    return false;
}

}  // namespace

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const auto s = static_cast<long long>(std::llround(seconds));
    char buffer[32];
    if (s < 60)
        std::snprintf(buffer, sizeof buffer, "%llds", s);
    else if (s < 3600)
        std::snprintf(buffer, sizeof buffer, "%lldm%02llds", s / 60, s % 60);
    else
        std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
    return buffer;
}

// --- ProgressLine --------------------------------------------------------------------------------

ProgressLine::ProgressLine(std::size_t epochs, std::size_t steps_per_epoch)
    : ProgressLine(epochs, steps_per_epoch, std::cerr, Options{}) {}

ProgressLine::ProgressLine(std::size_t epochs, std::size_t steps_per_epoch, std::ostream& out, Options options)
    : epochs_(epochs), steps_per_epoch_(steps_per_epoch), out_(&out), options_(options),
      interactive_(options.interactive.value_or(is_terminal(out))) {
    if (epochs == 0 || steps_per_epoch == 0)
        throw std::invalid_argument("ProgressLine: epochs and steps_per_epoch must be positive, got " +
                                    std::to_string(epochs) + " and " + std::to_string(steps_per_epoch));
    if (options_.percent < 1 || options_.percent > 100)
        throw std::invalid_argument("ProgressLine: percent must lie in [1, 100], got " +
                                    std::to_string(options_.percent));
}

void ProgressLine::begin_epoch(std::size_t epoch) {
    epoch_ = epoch;
    step_ = images_ = 0;
    sums_.clear();
    next_percent_ = options_.percent;
    last_width_ = 0;
    epoch_clock_.restart();
    redraw_clock_.restart();
}

void ProgressLine::step(std::size_t images, const Terms& terms) {
    ++step_;
    ++steps_done_total_;
    images_ += images;
    if (sums_.empty())
        for (const auto& [name, value] : terms) sums_.emplace_back(name, 0.0);
    for (std::size_t k = 0; k < terms.size() && k < sums_.size(); ++k) sums_[k].second += terms[k].second;

    if (interactive_) {
        if (redraw_clock_.seconds() >= 0.1) {  // at most ten redraws a second
            print(false);
            redraw_clock_.restart();
        }
        return;
    }
    const auto percent_done = static_cast<int>(100 * step_ / steps_per_epoch_);
    if (step_ < steps_per_epoch_ && percent_done >= next_percent_) {
        print(false);
        while (next_percent_ <= percent_done) next_percent_ += options_.percent;
    }
}

Terms ProgressLine::end_epoch() {
    print(true);
    Terms means = sums_;
    for (auto& [name, value] : means) value /= static_cast<double>(std::max<std::size_t>(step_, 1));
    return means;
}

std::string ProgressLine::line() const {
    std::ostringstream s;
    s << "epoch " << epoch_ << "/" << epochs_ << "  step " << step_ << "/" << steps_per_epoch_;
    const auto steps = static_cast<double>(std::max<std::size_t>(step_, 1));
    for (const auto& [name, sum] : sums_) s << "  " << name << " " << number(sum / steps);
    const double epoch_seconds = epoch_clock_.seconds();
    if (epoch_seconds > 0) s << "  " << std::llround(static_cast<double>(images_) / epoch_seconds) << " img/s";
    if (step_ == steps_per_epoch_) s << "  " << number(epoch_seconds, 3) << "s";
    const std::size_t total = epochs_ * steps_per_epoch_;
    const double run_seconds = run_clock_.seconds();
    if (steps_done_total_ > 0 && steps_done_total_ < total && run_seconds > 0) {
        const double per_step = run_seconds / static_cast<double>(steps_done_total_);
        s << "  ETA " << format_duration(per_step * static_cast<double>(total - steps_done_total_));
    }
    return s.str();
}

void ProgressLine::print(bool final_line) {
    const std::string text = line();
    if (interactive_) {
        // redraw in place, blanking what a longer previous line left behind
        *out_ << '\r' << text << std::string(last_width_ > text.size() ? last_width_ - text.size() : 0, ' ');
        last_width_ = text.size();
        if (final_line) *out_ << '\n';
        *out_ << std::flush;
    } else {
        *out_ << text << '\n' << std::flush;
    }
}

// --- SummaryTable --------------------------------------------------------------------------------

SummaryTable::Cell::Cell(double v, int digits) : text(number(v, digits)), numeric(true) {}
SummaryTable::Cell::Cell(long long v) : text(std::to_string(v)), numeric(true) {}
SummaryTable::Cell::Cell(unsigned long long v) : text(std::to_string(v)), numeric(true) {}

SummaryTable::SummaryTable(std::vector<std::string> columns) : columns_(std::move(columns)) {
    if (columns_.empty()) throw std::invalid_argument("SummaryTable: needs at least one column");
}

void SummaryTable::add_row(std::vector<Cell> cells) {
    if (cells.size() != columns_.size())
        throw std::invalid_argument("SummaryTable::add_row: " + std::to_string(cells.size()) + " cells for " +
                                    std::to_string(columns_.size()) + " columns");
    rows_.push_back(std::move(cells));
}

std::string SummaryTable::str() const {
    const std::size_t n = columns_.size();
    std::vector<std::size_t> width(n, 3);  // a Markdown rule needs at least "--:"
    std::vector<bool> numeric(n, !rows_.empty());
    for (std::size_t c = 0; c < n; ++c) {
        width[c] = std::max(width[c], display_width(columns_[c]));
        for (const auto& row : rows_) {
            width[c] = std::max(width[c], display_width(row[c].text));
            numeric[c] = numeric[c] && row[c].numeric;
        }
    }
    auto cell = [&](const std::string& text, std::size_t c) {
        const std::string fill(width[c] - std::min(width[c], display_width(text)), ' ');
        std::string out(1, ' ');
        out += numeric[c] ? fill : text;
        out += numeric[c] ? text : fill;
        out += " |";
        return out;
    };
    std::ostringstream s;
    s << "|";
    for (std::size_t c = 0; c < n; ++c) s << cell(columns_[c], c);
    s << "\n|";
    for (std::size_t c = 0; c < n; ++c) s << std::string(width[c] + 1, '-') << (numeric[c] ? ":|" : "-|");
    for (const auto& row : rows_) {
        s << "\n|";
        for (std::size_t c = 0; c < n; ++c) s << cell(row[c].text, c);
    }
    return s.str();
}

void SummaryTable::print(std::ostream& out) const { out << str() << '\n'; }

// --- MetricsJson ---------------------------------------------------------------------------------

MetricsJson::MetricsJson(std::filesystem::path out_dir) : path_(std::move(out_dir) / "metrics.json") {}

void MetricsJson::write() const {
    const auto dir = path_.parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir);
    auto temporary = path_;
    temporary += ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << json_.dump(2) << '\n';
        out.close();
        if (!out) {
            std::error_code ec;
            std::filesystem::remove(temporary, ec);
            throw std::runtime_error("MetricsJson::write: cannot write '" + temporary.string() + "'");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path_, ec);  // atomic within one file system
    if (ec) {
        std::filesystem::remove(temporary, ec);
        throw std::runtime_error("MetricsJson::write: cannot replace '" + path_.string() + "': " + ec.message());
    }
}

bool MetricsJson::read_existing() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return false;
    nlohmann::json parsed;
    try {
        parsed = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error("MetricsJson::read_existing: '" + path_.string() + "' is not JSON: " + e.what());
    }
    if (!parsed.is_object())
        throw std::runtime_error("MetricsJson::read_existing: '" + path_.string() + "' holds a " +
                                 std::string(parsed.type_name()) + ", not an object");
    json_ = std::move(parsed);
    return true;
}

void MetricsJson::write_merged() const {
    MetricsJson on_disk(path_.parent_path());
    on_disk.read_existing();
    on_disk.json_.update(json_);
    on_disk.write();
}

// --- non-finite losses ---------------------------------------------------------------------------

NonFiniteLoss::NonFiniteLoss(std::size_t s, std::string t, double v, const std::string& message)
    : std::runtime_error(message), step(s), term(std::move(t)), value(v) {}

namespace {
template <class Range>
void check_finite_impl(std::size_t step, const Range& terms) {
    for (const auto& [name, value] : terms) {
        if (std::isfinite(value)) continue;
        std::ostringstream message;
        message << "non-finite loss at step " << step << ": '" << name << "' is " << number(value) << " (";
        bool first = true;
        for (const auto& [other, v] : terms) {
            message << (first ? "" : ", ") << other << " " << number(v);
            first = false;
        }
        message << "); training has diverged — try a lower learning rate, or look for log(0) or a division by 0";
        throw NonFiniteLoss(step, std::string(name), value, message.str());
    }
}
}  // namespace

void check_finite(std::size_t step, std::initializer_list<std::pair<std::string_view, double>> terms) {
    check_finite_impl(step, terms);
}
void check_finite(std::size_t step, const Terms& terms) { check_finite_impl(step, terms); }

}  // namespace mmgen
