// The training-loop helpers: the non-finite guard, metrics.json, the progress line and the
// summary table.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mmgen/report/progress.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;

namespace {
std::filesystem::path output_dir() { return test::output_dir("train"); }

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }
}  // namespace

TEST_CASE("check_finite throws NonFiniteLoss naming the step and the term", "[train]") {
    const double bad = GENERATE(std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity());
    INFO("bad value " << bad);
    try {
        check_finite(200, {{"reconstruction", 151.2}, {"kl", bad}});
        FAIL("check_finite accepted a non-finite term");
    } catch (const NonFiniteLoss& e) {
        const std::string message = e.what();
        CHECK_THAT(message, Contains("step 200") && Contains("'kl'") && Contains("reconstruction 151.2"));
        CHECK(e.step == 200);
        CHECK(e.term == "kl");
        CHECK((std::isnan(e.value) || std::isinf(e.value)));
    }
}

TEST_CASE("check_finite accepts finite terms and names the first bad one", "[train]") {
    REQUIRE_NOTHROW(check_finite(1, {{"loss", 0.5}, {"kl", 0.0}, {"big", 1e300}}));
    REQUIRE_NOTHROW(check_finite(1, Terms{}));
    const Terms terms = {{"d_loss", NAN}, {"g_loss", INFINITY}};
    REQUIRE_THROWS_AS(check_finite(7, terms), NonFiniteLoss);
    REQUIRE_THROWS_WITH(check_finite(7, terms), Contains("step 7: 'd_loss' is nan"));
}

TEST_CASE("MetricsJson writes valid pretty JSON with the keys set, creating its folder", "[train]") {
    const auto dir = output_dir() / "nested" / "run";
    std::filesystem::remove_all(output_dir() / "nested");
    MetricsJson metrics(dir);
    metrics["chapter"] = "03_vae";
    metrics["epochs"] = 10;
    metrics["final"]["elbo"] = -101.5;
    for (double loss : {0.5, 0.4, 0.3}) metrics["loss_per_epoch"].push_back(loss);
    metrics.write();

    REQUIRE(metrics.path() == dir / "metrics.json");
    std::ifstream in(metrics.path());
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    CHECK_THAT(text.str(), Contains("\n  \"epochs\": 10"));  // pretty-printed, two-space indent
    const nlohmann::json j = nlohmann::json::parse(text.str());
    CHECK(j.at("chapter") == "03_vae");
    CHECK(j.at("epochs") == 10);
    CHECK(j.at("final").at("elbo") == -101.5);
    CHECK(j.at("loss_per_epoch").size() == 3);

    SECTION("writing again replaces the file and leaves no temporary file behind") {
        metrics["epochs"] = 11;
        metrics.write();
        std::ifstream again(metrics.path());
        CHECK(nlohmann::json::parse(again).at("epochs") == 11);
        std::size_t files = 0;
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            INFO(entry.path());
            ++files;
        }
        CHECK(files == 1);
    }
}

TEST_CASE("MetricsJson::read_existing keeps the keys another run wrote and lets this run replace its own", "[train]") {
    const auto dir = output_dir() / "read_existing";
    std::filesystem::remove_all(dir);
    MetricsJson fresh(dir);

    SECTION("no file: nothing is read and the object stays empty") {
        CHECK_FALSE(fresh.read_existing());
        CHECK(fresh.json().empty());
    }
    SECTION("a file: its keys are read; setting one key and writing keeps the others") {
        MetricsJson first(dir);
        first["ae_prior_fd"] = 40.0;
        first["vae_prior_fd"] = 30.0;
        first.write();
        MetricsJson second(dir);
        REQUIRE(second.read_existing());
        second["vae_prior_fd"] = 20.0;  // a --part vae run replaces its key
        second.write();
        std::ifstream in(second.path());
        const nlohmann::json j = nlohmann::json::parse(in);
        CHECK(j.at("ae_prior_fd") == 40.0);
        CHECK(j.at("vae_prior_fd") == 20.0);
        CHECK(j.size() == 2);
    }
    SECTION("write_merged keeps keys written to the file after this object was filled") {
        MetricsJson ae_run(dir), dcgan_run(dir);  // two parts run at once into one folder
        ae_run["ae_prior_fd"] = 40.0;
        dcgan_run["dcgan_fd"] = 10.0;
        ae_run.write_merged();
        dcgan_run.write_merged();
        ae_run["ae_prior_fd"] = 41.0;
        ae_run.write_merged();
        std::ifstream in(ae_run.path());
        const nlohmann::json j = nlohmann::json::parse(in);
        CHECK(j.at("ae_prior_fd") == 41.0);
        CHECK(j.at("dcgan_fd") == 10.0);
        CHECK(j.size() == 2);
    }
    SECTION("a file that is not a JSON object is refused with its name") {
        std::filesystem::create_directories(dir);
        for (const char* text : {"{\"truncated\": ", "[1, 2]"}) {
            INFO(text);
            std::ofstream(dir / "metrics.json") << text;
            MetricsJson broken(dir);
            REQUIRE_THROWS_WITH(broken.read_existing(), Contains("metrics.json"));
        }
    }
}

TEST_CASE("ProgressLine off a terminal prints a line per quarter epoch and a final line", "[train]") {
    std::ostringstream out;
    ProgressLine progress(2, 8, out, {.percent = 25, .interactive = false});
    for (std::size_t epoch = 1; epoch <= 2; ++epoch) {
        progress.begin_epoch(epoch);
        for (int s = 0; s < 8; ++s) progress.step(64, {{"loss", 1.0 + s}, {"kl", 2.0}});
        const Terms means = progress.end_epoch();
        REQUIRE(means.size() == 2);
        CHECK(means[0].first == "loss");
        CHECK(means[0].second == 4.5);  // mean of 1..8
        CHECK(means[1].second == 2.0);
    }
    const std::string log = out.str();
    INFO(log);
    CHECK(count_lines(log) == 2 * 4);  // 25 %, 50 %, 75 % and the final line, per epoch
    CHECK(log.find('\r') == std::string::npos);
    CHECK_THAT(log, Contains("epoch 1/2  step 2/8  loss 1.5  kl 2"));
    CHECK_THAT(log, Contains("epoch 2/2  step 8/8  loss 4.5  kl 2"));
    CHECK_THAT(log, Contains("img/s"));
    CHECK_THAT(log, Contains("ETA"));  // the first epoch's lines estimate the time left
}

TEST_CASE("ProgressLine on a terminal redraws one line per epoch in place", "[train]") {
    std::ostringstream out;
    ProgressLine progress(1, 3, out, {.percent = 25, .interactive = true});
    progress.begin_epoch(1);
    for (int s = 0; s < 3; ++s) progress.step(10, {{"loss", 0.25}});
    progress.end_epoch();
    const std::string log = out.str();
    CHECK(count_lines(log) == 1);
    CHECK(log.front() == '\r');
    CHECK_THAT(log, Contains("epoch 1/1  step 3/3  loss 0.25"));
}

TEST_CASE("format_duration writes seconds, minutes and hours compactly", "[train]") {
    CHECK(format_duration(12.4) == "12s");
    CHECK(format_duration(185) == "3m05s");
    CHECK(format_duration(3720) == "1h02m");
    CHECK(format_duration(NAN) == "?");
}

TEST_CASE("SummaryTable prints an aligned Markdown table", "[train]") {
    SummaryTable table({"epoch", "loss", "note"});
    table.add_row({1, 0.41234567, "warm-up"});
    table.add_row({10, 0.05, "done"});
    const std::string expected =
        "| epoch |   loss | note    |\n"
        "|------:|-------:|---------|\n"
        "|     1 | 0.4123 | warm-up |\n"
        "|    10 |   0.05 | done    |";
    CHECK(table.str() == expected);
    REQUIRE_THROWS_WITH(table.add_row({1, 2}), Contains("2 cells for 3 columns"));

    SECTION("a character outside ASCII takes one column, not its UTF-8 byte count") {
        SummaryTable unicode({"metric", "value"});
        unicode.add_row({"−ELBO", 95.5});
        unicode.add_row({"≥ 5%", 10});
        CHECK(unicode.str() ==
              "| metric | value |\n"
              "|--------|------:|\n"
              "| −ELBO  |  95.5 |\n"
              "| ≥ 5%   |    10 |");
    }
}

TEST_CASE("Stopwatch measures the seconds since its start or restart", "[train]") {
    // each reading is bracketed by an outer clock: at least the sleep, at most the outer reading
    using clock = std::chrono::steady_clock;
    auto seconds_since = [](clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); };
    const auto outer_start = clock::now();
    Stopwatch watch;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    const double slept = watch.seconds();
    const double outer = seconds_since(outer_start);
    INFO("after a 30 ms sleep: Stopwatch " << slept << " s, outer clock " << outer << " s");
    REQUIRE(slept >= 0.030);  // seconds, not milliseconds; sleep_for sleeps at least that long
    REQUIRE(slept <= outer);  // started when constructed, not before

    SECTION("restart starts again from 0") {
        const auto restarted_at = clock::now();
        watch.restart();
        const double since_restart = watch.seconds();
        const double outer_since_restart = seconds_since(restarted_at);
        INFO("just after a restart: Stopwatch " << since_restart << " s, outer clock " << outer_since_restart << " s");
        REQUIRE(since_restart >= 0);
        REQUIRE(since_restart <= outer_since_restart);
    }
}
