// Chapter 04's report: the diagnostics printed after the run, metrics.json (the figures of the
// README's results, §9), and the summary table.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include <mmgen/report/progress.hpp>

#include "04_multimodal/multimodal.hpp"

namespace multimodal {

using namespace mmgen;

void print_diagnostics(const Diagnostics& d, const Measurements& k) {
    std::printf("joint agreement (image class = caption class) for z from q(z|x) %.3f, from q(z|y) %.3f, from N(0, T²I):",
                d.agreement.from_image_posteriors, d.agreement.from_caption_posteriors);
    for (auto [t, v] : d.agreement.by_temperature) std::printf(" T=%.1f %.3f", t, v);
    std::printf("; evaluator > 0.9 sure on %.2f of prior samples\n", d.agreement.evaluator_confident);
    std::printf("prior coverage: KL(p || text aggregate) %.1f, KL(p || image aggregate) %.1f nats; "
                "E_y KL(q(z|y) || p) %.2f = I(y; z) %.2f + KL(text aggregate || p) %.2f\n",
                d.coverage.kl_prior_to_text_aggregate, d.coverage.kl_prior_to_image_aggregate, d.coverage.text_kl_to_prior,
                d.coverage.text_mutual_information, d.coverage.text_kl_to_prior - d.coverage.text_mutual_information);
    std::printf("fusion diagnostics: precision share text %.3f image %.3f prior %.3f; KL(q_xy || q_x) %.2f, "
                "KL(q_xy || q_y) %.2f; |mu(y) - class centroid| %.2f vs |mu(x) - class centroid| %.2f\n",
                d.fusion.text_precision_share, d.fusion.image_precision_share,
                1 - d.fusion.text_precision_share - d.fusion.image_precision_share, d.fusion.kl_joint_image, d.fusion.kl_joint_text,
                d.fusion.text_mean_class_distance, d.fusion.image_within_class_distance);
    std::printf("  latent dims where the text expert holds most of the precision: %zu, the image expert: %zu; "
                "caption accuracy from q(z|x,y): %.3f (from q(z|x): %.3f)\n",
                d.fusion.text_dims, d.fusion.image_dims, d.fusion.caption_from_joint, k.coherence.caption);
}

void write_metrics(const std::filesystem::path& out, const Options& o, const Measurements& k, const Diagnostics& d,
                   const History& h, double train_seconds, std::size_t test_pairs, std::size_t latent,
                   std::size_t vocabulary) {
    MetricsJson metrics(out);
    metrics["coherence_text_to_image"] = k.coherence.text_to_image;
    metrics["tone_coherence"] = k.coherence.tone;
    metrics["caption_accuracy"] = k.coherence.caption;
    metrics["tone_accuracy"] = k.coherence.caption_tone;
    metrics["joint_coherence"] = k.coherence.joint;
    metrics["latent_probe_accuracy"] = k.probe;
    metrics["test_neg_elbo_joint"] = k.neg_elbos.joint;
    metrics["test_neg_elbo_image"] = k.neg_elbos.image;
    metrics["test_neg_elbo_text"] = k.neg_elbos.text;
    metrics["evaluator"] = "cnn";  // models::Evaluator is chapter 01's CNN
    metrics["evaluator_accuracy"] = k.evaluator_accuracy;
    metrics["epochs"] = h.epoch.empty() ? 0.0 : h.epoch.back();
    metrics["train_seconds"] = train_seconds;
    metrics["fusion"] = o.fusion;
    metrics["image_network"] = o.image_network;
    if (o.image_network == "conv") metrics["conv_channels"] = o.conv_channels;
    metrics["diagnostics"] = {{"text_precision_share", d.fusion.text_precision_share},
                              {"image_precision_share", d.fusion.image_precision_share},
                              {"kl_joint_to_image_posterior", d.fusion.kl_joint_image},
                              {"kl_joint_to_text_posterior", d.fusion.kl_joint_text},
                              {"text_mean_to_class_centroid", d.fusion.text_mean_class_distance},
                              {"image_mean_to_class_centroid", d.fusion.image_within_class_distance},
                              {"text_dims", d.fusion.text_dims},
                              {"image_dims", d.fusion.image_dims},
                              {"caption_accuracy_from_joint", d.fusion.caption_from_joint},
                              {"kl_prior_to_text_aggregate", d.coverage.kl_prior_to_text_aggregate},
                              {"kl_prior_to_image_aggregate", d.coverage.kl_prior_to_image_aggregate},
                              {"text_kl_to_prior", d.coverage.text_kl_to_prior},
                              {"text_mutual_information", d.coverage.text_mutual_information},
                              {"joint_agreement_from_image_posteriors", d.agreement.from_image_posteriors},
                              {"joint_agreement_from_caption_posteriors", d.agreement.from_caption_posteriors},
                              {"joint_agreement_prior_T1", d.agreement.by_temperature[0].second},
                              {"joint_agreement_prior_T0.8", d.agreement.by_temperature[1].second},
                              {"joint_agreement_prior_T0.6", d.agreement.by_temperature[2].second},
                              {"evaluator_confident_on_prior_samples", d.agreement.evaluator_confident}};
    metrics["text_weight"] = o.text_weight;
    metrics["image_weight"] = o.image_weight;
    metrics["anneal_fraction"] = o.anneal;
    metrics["beta"] = o.beta;
    metrics["text_kl"] = o.text_kl;
    metrics["alpha"] = o.alpha;
    metrics["mmd"] = o.mmd;
    metrics["latent"] = latent;
    metrics["vocabulary"] = vocabulary;
    metrics["test_pairs"] = test_pairs;
    metrics["quick"] = o.common.quick;
    metrics["history"] = {{"epoch", h.epoch},           {"train_loss", h.train_loss},
                          {"test_neg_elbo_joint", h.test_joint}, {"test_neg_elbo_image", h.test_image},
                          {"test_neg_elbo_text", h.test_text},   {"coherence_text_to_image", h.text_to_image},
                          {"caption_accuracy", h.caption},       {"joint_coherence", h.joint}};
    metrics.write();
}

void print_summary(const Measurements& k, double train_seconds) {
    SummaryTable summary({"metric", "value"});
    summary.add_row({"text → image coherence", SummaryTable::Cell(k.coherence.text_to_image, 3)});
    summary.add_row({"tone coherence", SummaryTable::Cell(k.coherence.tone, 3)});
    summary.add_row({"caption accuracy (image → text)", SummaryTable::Cell(k.coherence.caption, 3)});
    summary.add_row({"tone accuracy", SummaryTable::Cell(k.coherence.caption_tone, 3)});
    summary.add_row({"joint coherence (z ~ N(0, I))", SummaryTable::Cell(k.coherence.joint, 3)});
    summary.add_row({"linear probe on image latents", SummaryTable::Cell(k.probe, 3)});
    summary.add_row({"evaluator accuracy (the ceiling)", SummaryTable::Cell(k.evaluator_accuracy, 3)});
    summary.add_row({"test −ELBO joint / image / text (nats)", SummaryTable::Cell(std::to_string(k.neg_elbos.joint).substr(0, 6) + " / " +
                                                                                   std::to_string(k.neg_elbos.image).substr(0, 6) + " / " +
                                                                                   std::to_string(k.neg_elbos.text).substr(0, 5))});
    summary.add_row({"training seconds", SummaryTable::Cell(train_seconds, 3)});
    std::printf("\n");
    summary.print(std::cout);
}

std::string history_json(const History& h) {
    return nlohmann::json{{"epoch", h.epoch},           {"train_loss", h.train_loss}, {"test_joint", h.test_joint},
                          {"test_image", h.test_image}, {"test_text", h.test_text},   {"text_to_image", h.text_to_image},
                          {"caption", h.caption},       {"joint", h.joint},           {"train_seconds", h.train_seconds}}
        .dump();
}

History history_from_json(const std::string& text) {
    History h;
    if (text.empty()) return h;
    const auto j = nlohmann::json::parse(text);
    j.at("epoch").get_to(h.epoch), j.at("train_loss").get_to(h.train_loss), j.at("test_joint").get_to(h.test_joint);
    j.at("test_image").get_to(h.test_image), j.at("test_text").get_to(h.test_text);
    j.at("text_to_image").get_to(h.text_to_image), j.at("caption").get_to(h.caption), j.at("joint").get_to(h.joint);
    j.at("train_seconds").get_to(h.train_seconds);
    return h;
}

}  // namespace multimodal
