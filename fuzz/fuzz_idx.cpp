// libFuzzer target: the IDX reader on arbitrary bytes (plain or gzip). It must either return
// an array whose size matches its dims or throw DataError — never crash, hang or leak.
// Run with scripts/fuzz.sh.
#include <cstdint>
#include <cstdlib>

#include <mmgen/io/data.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto array = mmgen::data::parse_idx({data, size}, "fuzz input");
        std::size_t n = 1;
        for (auto d : array.dims) n *= d;
        if (array.dims.empty() || array.dims.size() > 4 || n != array.bytes.size()) std::abort();
    } catch (const mmgen::data::DataError&) {
        // a refused file is the expected outcome for almost every input
    }
    return 0;
}
