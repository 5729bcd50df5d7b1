#pragma once
// The small helpers every chapter's training loop shares:
//
//     Stopwatch       wall-clock seconds since start
//     ProgressLine    "epoch 3/10  step 200/468  loss 0.412  kl 3.1  1234 img/s  ETA 12s"
//     SummaryTable    the end-of-run table, printed as Markdown so it pastes into a README
//     MetricsJson     <out>/metrics.json, written atomically
//     check_finite    stops a diverged run at the first NaN/inf loss term, naming step and term
//
//     ProgressLine progress(kEpochs, batcher.batches_per_epoch());
//     for (std::size_t epoch = 1; epoch <= kEpochs; ++epoch) {
//         progress.begin_epoch(epoch);
//         for (...) {
//             ...
//             check_finite(step, {{"reconstruction", rec}, {"kl", kl}});
//             progress.step(batch_size, {{"loss", loss}, {"kl", kl}});
//         }
//         const auto means = progress.end_epoch();  // the epoch's mean of every term
//     }
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mmgen {

// Named loss terms, in the order they are printed: {{"loss", 0.41}, {"kl", 3.1}}.
using Terms = std::vector<std::pair<std::string, double>>;

// Wall-clock time on the steady clock.
class Stopwatch {
public:
    Stopwatch() : start_(std::chrono::steady_clock::now()) {}
    void restart() { start_ = std::chrono::steady_clock::now(); }
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_;
};

// "12s", "3m05s", "1h02m".
std::string format_duration(double seconds);

// One progress line per epoch: epoch, step, the running mean of each term over the epoch so
// far, images per second and the estimated time left for the whole run.
//
// On a terminal the line is redrawn in place (carriage return) at most ten times a second.
// Otherwise — a CI log, a file — it prints a line each time another `percent`% of the epoch
// is done, plus the final line of each epoch, so logs stay short.
class ProgressLine {
public:
    struct Options {
        int percent = 25;                  // non-terminal output: a line per this much of an epoch
        std::optional<bool> interactive;   // redraw in place; default: whether `out` is a terminal
    };

    // Writes to std::cerr. steps_per_epoch is the number of step() calls per epoch.
    ProgressLine(std::size_t epochs, std::size_t steps_per_epoch);
    ProgressLine(std::size_t epochs, std::size_t steps_per_epoch, std::ostream& out, Options options);

    void begin_epoch(std::size_t epoch);  // 1-based
    // After each optimisation step: how many images it used, and the loss terms.
    void step(std::size_t images, const Terms& terms);
    // Prints the epoch's final line (with the epoch's duration) and returns each term's mean
    // over the epoch, in the order they were given.
    Terms end_epoch();

    // The line as it would be printed now (without carriage return or newline).
    std::string line() const;

private:
    void print(bool final_line);

    std::size_t epochs_, steps_per_epoch_;
    std::ostream* out_;
    Options options_;
    bool interactive_;
    std::size_t epoch_ = 0, step_ = 0, images_ = 0, steps_done_total_ = 0;
    Terms sums_;  // per term: the sum over this epoch's steps
    Stopwatch run_clock_, epoch_clock_, redraw_clock_;
    double run_seconds_before_epoch_ = 0;
    int next_percent_ = 0;
    std::size_t last_width_ = 0;
};

// A table with named columns, printed as a Markdown table with aligned columns:
//
//     | epoch | loss   | kl    |
//     |------:|-------:|------:|
//     |     1 | 0.4121 | 3.102 |
//
// Numbers are right-aligned (4 significant digits unless given as text), text left-aligned.
class SummaryTable {
public:
    // A cell: text as is, or a number formatted with `digits` significant digits.
    struct Cell {
        Cell(std::string s) : text(std::move(s)) {}
        Cell(const char* s) : text(s) {}
        Cell(double v, int digits = 4);
        Cell(int v) : Cell(static_cast<long long>(v)) {}
        Cell(long v) : Cell(static_cast<long long>(v)) {}
        Cell(long long v);
        Cell(unsigned v) : Cell(static_cast<unsigned long long>(v)) {}
        Cell(unsigned long v) : Cell(static_cast<unsigned long long>(v)) {}
        Cell(unsigned long long v);
        std::string text;
        bool numeric = false;
    };

    explicit SummaryTable(std::vector<std::string> columns);
    // Throws std::invalid_argument unless the row has one cell per column.
    void add_row(std::vector<Cell> cells);
    std::string str() const;
    void print(std::ostream& out) const;  // str() and a newline
    std::size_t rows() const { return rows_.size(); }

private:
    std::vector<std::string> columns_;
    std::vector<std::vector<Cell>> rows_;
};

// The run's figures as <out_dir>/metrics.json. Fill it like any nlohmann::json object —
// metrics["final"]["loss"] = 0.41; metrics["loss_per_epoch"].push_back(0.5); — and write():
// the JSON is pretty-printed to a temporary file in the same folder and renamed over
// metrics.json, so a reader never sees half a file. Creates out_dir.
class MetricsJson {
public:
    explicit MetricsJson(std::filesystem::path out_dir);

    nlohmann::json& operator[](const std::string& key) { return json_[key]; }
    nlohmann::json& json() { return json_; }
    const nlohmann::json& json() const { return json_; }
    const std::filesystem::path& path() const { return path_; }

    // Throws std::runtime_error naming the file if it cannot be written.
    void write() const;

    // Reads metrics.json if it exists, replacing what is held, so a run that computes only some
    // of a chapter's figures (chapter 05's --part) can set its keys and keep the others.
    // Returns whether a file was read; throws std::runtime_error naming the file if it is not
    // a JSON object.
    bool read_existing();

    // Writes this object's keys over the metrics.json on disk as it is now (read just before):
    // keys set elsewhere survive, this object's replace theirs. Two runs writing into one folder
    // then keep each other's keys unless their writes interleave within milliseconds.
    void write_merged() const;

private:
    std::filesystem::path path_;
    nlohmann::json json_ = nlohmann::json::object();
};

// A loss term became NaN or ±inf: training has diverged.
class NonFiniteLoss : public std::runtime_error {
public:
    NonFiniteLoss(std::size_t step, std::string term, double value, const std::string& message);
    std::size_t step;
    std::string term;
    double value;
};

// Throws NonFiniteLoss at the first term that is NaN or ±inf, naming the step and the term
// and listing every term's value:
//   "non-finite loss at step 200: 'kl' is nan (reconstruction 151.2, kl nan); ..."
void check_finite(std::size_t step, std::initializer_list<std::pair<std::string_view, double>> terms);
void check_finite(std::size_t step, const Terms& terms);

}  // namespace mmgen
