// scan: an example endpoint scanner in C++ over the sigscan C API.
//
//   scan RULES.yar FILE...
//
// Compiles the rules once, then scans each file and prints
// "rule file" for each matching rule, with the patterns' offsets.
// Build (see ffi/README.md):
//   g++ -std=c++17 scan.cpp -I<prefix>/include -L<prefix>/lib -lsigscan

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sigscan.h"

namespace {

// Owning wrappers: each handle is freed by its _free function.
struct RulesDeleter {
  void operator()(sigscan_rules* r) const { sigscan_rules_free(r); }
};
struct ScannerDeleter {
  void operator()(sigscan_scanner* s) const { sigscan_scanner_free(s); }
};
using Rules = std::unique_ptr<sigscan_rules, RulesDeleter>;
using Scanner = std::unique_ptr<sigscan_scanner, ScannerDeleter>;

struct Hit {
  std::string rule;
  std::vector<std::pair<std::string, uint64_t>> patterns;
};

// The callback: copies what it needs, since the match is valid only
// during the call. It must not throw: exceptions may not cross the C API.
extern "C" int on_match(const sigscan_match* m, void* user_data) noexcept {
  auto* hits = static_cast<std::vector<Hit>*>(user_data);
  try {
    const char* p = nullptr;
    size_t n = 0;
    sigscan_match_rule(m, &p, &n);
    Hit hit{std::string(p, n), {}};
    for (size_t i = 0; i < sigscan_match_pattern_count(m); i++) {
      uint64_t offset = 0;
      sigscan_match_pattern(m, i, &p, &n, &offset, nullptr);
      hit.patterns.emplace_back(std::string(p, n), offset);
    }
    hits->push_back(std::move(hit));
  } catch (...) {
    return 1;  // stop the scan
  }
  return 0;
}

int fail(const char* what, sigscan_result r) {
  std::fprintf(stderr, "%s: %s\n%s\n", what, sigscan_result_message(r),
               sigscan_last_error());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s RULES FILE...\n", argv[0]);
    return 2;
  }
  sigscan_rules* raw_rules = nullptr;
  if (auto r = sigscan_compile_file(argv[1], &raw_rules); r != SIGSCAN_OK) {
    return fail(argv[1], r);
  }
  Rules rules(raw_rules);

  sigscan_scanner* raw_scanner = nullptr;
  if (auto r = sigscan_scanner_new(rules.get(), &raw_scanner);
      r != SIGSCAN_OK) {
    return fail("scanner", r);
  }
  Scanner scanner(raw_scanner);
  sigscan_scanner_set_timeout(scanner.get(), 10000);

  int status = 0;
  for (int i = 2; i < argc; i++) {
    std::vector<Hit> hits;
    auto r = sigscan_scanner_scan_file(scanner.get(), argv[i], on_match,
                                       &hits);
    if (r != SIGSCAN_OK) {
      fail(argv[i], r);
      status = 1;
      continue;
    }
    for (const auto& hit : hits) {
      std::printf("%s %s\n", hit.rule.c_str(), argv[i]);
      for (const auto& [id, offset] : hit.patterns) {
        std::printf("  0x%llx:%s\n", static_cast<unsigned long long>(offset),
                    id.c_str());
      }
    }
  }
  return status;
}
