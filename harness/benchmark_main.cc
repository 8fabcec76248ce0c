// initialize() and run_specified_benchmarks(): Google Benchmark's entry points with the
// exact MemoryManager and repaired reporters.
#include "harness/benchmark_main.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

#include "common/error.h"
#include "harness/memory_manager.h"
#include "harness/repairing_reporter.h"

namespace deferlab::harness {
namespace {

struct OutFlags {
  bool initialized = false;
  std::string out;
  std::string format = "json";
  // --deferlab_cases with a declared manifest: print it instead of running.
  detail::ManifestPrinter manifest_printer = nullptr;
  bool print_manifest = false;
  std::string program;
};

OutFlags& out_flags() {
  static OutFlags flags;
  return flags;
}

// As Google Benchmark 1.7.1 reads a string flag: the environment variable of the flag's
// upper-case name gives the default, and every "--NAME=VALUE" argument overrides it (the
// last one wins).
std::string read_flag(int argc, char** argv, const char* name, const char* env, std::string value) {
  if (const char* from_env = std::getenv(env); from_env != nullptr) value = from_env;
  const std::string prefix = std::string("--") + name + "=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], prefix.c_str(), prefix.size()) == 0) value = argv[i] + prefix.size();
  }
  return value;
}

std::unique_ptr<benchmark::BenchmarkReporter> make_file_reporter(const std::string& format) {
  if (format == "console") {
    return std::make_unique<benchmark::ConsoleReporter>(benchmark::ConsoleReporter::OO_None);
  }
  if (format == "csv") {
    BENCHMARK_DISABLE_DEPRECATED_WARNING
    return std::make_unique<benchmark::CSVReporter>();
    BENCHMARK_RESTORE_DEPRECATED_WARNING
  }
  // benchmark::Initialize has already refused any other format.
  return std::make_unique<benchmark::JSONReporter>();
}

// Replaces --deferlab_cases by Google Benchmark's --benchmark_list_tests, whose list the
// manifest is printed over (run_specified_benchmarks).
void ask_for_the_list(OutFlags& flags, int argc, char** argv) {
  static char list_tests[] = "--benchmark_list_tests=true";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--deferlab_cases") == 0) {
      argv[i] = list_tests;
      flags.print_manifest = true;
    }
  }
  if (argc > 0) flags.program = std::filesystem::path(argv[0]).filename().string();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace

namespace detail {

void set_manifest_printer(ManifestPrinter printer) {
  out_flags().manifest_printer = printer;
}

}  // namespace detail

void initialize(int* argc, char** argv) {
  OutFlags& flags = out_flags();
  flags.out = read_flag(*argc, argv, "benchmark_out", "BENCHMARK_OUT", "");
  flags.format = read_flag(*argc, argv, "benchmark_out_format", "BENCHMARK_OUT_FORMAT", "json");
  if (flags.manifest_printer != nullptr) ask_for_the_list(flags, *argc, argv);
  benchmark::Initialize(argc, argv);
  install_memory_manager();
  flags.initialized = true;
}

std::size_t run_specified_benchmarks(benchmark::BenchmarkReporter* display,
                                     benchmark::BenchmarkReporter* file) {
  const OutFlags& flags = out_flags();
  if (!flags.initialized) {
    throw Error("deferlab::harness::initialize(&argc, argv) was not called",
                "run_specified_benchmarks",
                "call it instead of benchmark::Initialize, before running the benchmarks");
  }
  if (flags.print_manifest) {
    // Google Benchmark writes the list (filtered as a run would be) to the display
    // reporter's stream.
    std::ostringstream list;
    benchmark::ConsoleReporter lister(benchmark::ConsoleReporter::OO_None);
    lister.SetOutputStream(&list);
    benchmark::RunSpecifiedBenchmarks(&lister);
    const std::vector<std::string> names = lines_of(list.str());
    flags.manifest_printer(names, flags.program, std::cout);
    std::cout.flush();
    return 0;
  }
  const MemoryManager& manager = install_memory_manager();
  if (display == nullptr) display = benchmark::CreateDefaultDisplayReporter();
  RepairingReporter repaired_display(*display, manager);
  if (flags.out.empty()) return benchmark::RunSpecifiedBenchmarks(&repaired_display);
  std::unique_ptr<benchmark::BenchmarkReporter> default_file;
  if (file == nullptr) {
    default_file = make_file_reporter(flags.format);
    file = default_file.get();
  }
  RepairingReporter repaired_file(*file, manager);
  return benchmark::RunSpecifiedBenchmarks(&repaired_display, &repaired_file);
}

const std::string& benchmark_out() {
  return out_flags().out;
}

const std::string& benchmark_out_format() {
  return out_flags().format;
}

}  // namespace deferlab::harness
