// Chapter 02's report: metrics.json (the figures of the README's results, §8) and the summary
// tables, for the toy and for Fashion-MNIST.
#include <cstdio>
#include <iostream>

#include <mmgen/io/data.hpp>

#include "02_gan/gan_chapter.hpp"

namespace gan_chapter {

using namespace mmgen;

nlohmann::json to_json(const FashionHistory& h) {
    return {{"epoch", h.epoch},   {"d_loss", h.d_loss},         {"g_loss", h.g_loss},
            {"d_real", h.d_real}, {"d_fake", h.d_fake},         {"fd_2000_samples", h.fd_monitor},
            {"classes_at_least_5pct_2000_samples", h.classes_monitor}, {"epoch_seconds", h.seconds}};
}

FashionHistory history_from_json(const nlohmann::json& j) {
    FashionHistory h;
    j.at("epoch").get_to(h.epoch), j.at("d_loss").get_to(h.d_loss), j.at("g_loss").get_to(h.g_loss);
    j.at("d_real").get_to(h.d_real), j.at("d_fake").get_to(h.d_fake);
    j.at("fd_2000_samples").get_to(h.fd_monitor), j.at("classes_at_least_5pct_2000_samples").get_to(h.classes_monitor);
    j.at("epoch_seconds").get_to(h.seconds);
    return h;
}

void report_toy(const std::vector<ToyRun>& runs, std::size_t steps, const nlohmann::json& recipe, MetricsJson& metrics) {
    SummaryTable summary({"toy, generator loss", "modes covered (of 8)", "high-quality fraction", "seconds"});
    nlohmann::json toy;
    for (const auto& r : runs) {
        summary.add_row({models::generator_loss_name(r.loss),
                         SummaryTable::Cell(static_cast<unsigned long>(r.final_coverage.modes_covered)),
                         SummaryTable::Cell(r.final_coverage.high_quality_fraction, 3), SummaryTable::Cell(r.seconds, 3)});
        toy[r.loss == GeneratorLoss::minimax ? "minimax" : "non_saturating"] = {
            {"modes_covered", r.final_coverage.modes_covered},
            {"high_quality_fraction", r.final_coverage.high_quality_fraction},
            {"samples_per_mode", r.final_coverage.per_mode},
            {"history", {{"step", r.eval_step}, {"modes_covered", r.modes}, {"high_quality_fraction", r.high_quality}}}};
    }
    std::printf("\n");
    summary.print(std::cout);
    const auto& ns = runs.back().final_coverage;  // the non-saturating default
    metrics["toy_modes_covered"] = ns.modes_covered;
    metrics["toy_high_quality_fraction"] = ns.high_quality_fraction;
    metrics["toy_steps"] = steps;
    metrics["toy_recipe"] = recipe;
    metrics["toy"] = toy;
}

void report_fashion(const FashionHistory& h, const models::SampleScores& scores, double fd_floor, std::size_t scored,
                    double train_seconds, const nlohmann::json& recipe, MetricsJson& metrics) {
    std::vector<double> percent;
    for (std::size_t k : scores.class_histogram) percent.push_back(100.0 * double(k) / double(scored));
    metrics["fd"] = scores.fd;
    metrics["fd_real_floor"] = fd_floor;
    metrics["class_histogram"] = scores.class_histogram;
    metrics["classes_at_least_5pct"] = scores.classes_at_least_5pct;
    metrics["epochs"] = h.epoch.empty() ? 0.0 : h.epoch.back();
    metrics["train_seconds"] = train_seconds;
    metrics["scored_samples"] = scored;
    metrics["recipe"] = recipe;
    metrics["history"] = to_json(h);

    SummaryTable summary({"Fashion-MNIST", "value"});
    summary.add_row({"epochs", SummaryTable::Cell(h.epoch.empty() ? 0.0 : h.epoch.back(), 3)});
    summary.add_row({"training seconds", SummaryTable::Cell(train_seconds, 3)});
    summary.add_row({"FD, " + std::to_string(scored) + " samples vs test", SummaryTable::Cell(scores.fd, 4)});
    summary.add_row({"FD, " + std::to_string(scored) + " real train images vs test (floor)",
                     SummaryTable::Cell(fd_floor, 4)});
    summary.add_row({"classes with >= 5% of samples",
                     SummaryTable::Cell(static_cast<unsigned long>(scores.classes_at_least_5pct))});
    for (std::size_t k = 0; k < data::kNumClasses; ++k)
        summary.add_row({std::string("  ") + data::kClassNames[k] + " %", SummaryTable::Cell(percent[k], 3)});
    std::printf("\n");
    summary.print(std::cout);
}

}  // namespace gan_chapter
