// Tests harness/subprocess.cc: lines arrive whole, a timeout stops the child's whole process
// group, nothing the child started outlives it, a child that exits while a grandchild holds
// its pipes does not hang the caller, an interrupt stops the child (and returns or throws
// as asked), and a program is found in PATH or not at all.
#include "harness/subprocess.h"

#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "common/error.h"
#include "harness/interrupt.h"

namespace deferlab {
namespace {

using Clock = std::chrono::steady_clock;

bool is_running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return false;
  const std::size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

// A SIGKILLed process closes its files before it becomes a zombie: give it a moment.
bool stops_running(pid_t pid) {
  for (int waited = 0; waited < 200 && is_running(pid); ++waited) ::usleep(10'000);
  return !is_running(pid);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

TEST(SubprocessTest, LinesArriveWithoutTheirNewline) {
  std::vector<std::string> out;
  std::vector<std::string> err;
  const ExitStatus status = run_process(
      {"/bin/sh", "-c", "echo one; echo two >&2; printf three; exit 3"},
      [&](std::string_view line) { out.emplace_back(line); },
      [&](std::string_view line) { err.emplace_back(line); });
  EXPECT_EQ(status.code, 3);
  EXPECT_FALSE(status.succeeded());
  EXPECT_EQ(out, (std::vector<std::string>{"one", "three"}));
  EXPECT_EQ(err, (std::vector<std::string>{"two"}));
}

TEST(SubprocessTest, ATimeoutStopsTheWholeGroup) {
  pid_t grandchild = 0;
  ProcessOptions options;
  options.timeout_seconds = 0.3;
  options.grace_seconds = 0.5;
  const auto start = Clock::now();
  const ExitStatus status = run_process(
      {"/bin/sh", "-c", "sleep 30 & echo $!; wait"},
      [&](std::string_view line) { grandchild = std::stoi(std::string(line)); }, nullptr, options);
  EXPECT_TRUE(status.timed_out);
  EXPECT_FALSE(status.succeeded());
  EXPECT_EQ(status.describe(), "did not finish within 0.3 s");
  EXPECT_LT(seconds_since(start), 5.0);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(stops_running(grandchild));
}

TEST(SubprocessTest, AChildThatIgnoresSigtermIsKilledAfterTheGracePeriod) {
  ProcessOptions options;
  options.timeout_seconds = 0.2;
  options.grace_seconds = 0.3;
  const auto start = Clock::now();
  const ExitStatus status = run_process(
      {"/bin/sh", "-c", "trap '' TERM; while :; do sleep 1; done"}, nullptr, nullptr, options);
  EXPECT_TRUE(status.timed_out);
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_LT(seconds_since(start), 5.0);
}

TEST(SubprocessTest, AGrandchildHoldingThePipesDoesNotHangTheCaller) {
  // The shell exits at once; its background sleep keeps stdout open. The sleep is in the
  // child's group, so it is killed when the child is reaped, and the pipes close.
  pid_t grandchild = 0;
  const auto start = Clock::now();
  const ExitStatus status = run_process(
      {"/bin/sh", "-c", "sleep 30 & echo $!"},
      [&](std::string_view line) { grandchild = std::stoi(std::string(line)); }, nullptr);
  EXPECT_TRUE(status.succeeded()) << status.describe();
  EXPECT_LT(seconds_since(start), 5.0);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(stops_running(grandchild));
}

TEST(SubprocessTest, AProgramWithoutASlashIsSearchedInPath) {
  EXPECT_TRUE(run_process({"true"}, nullptr, nullptr).succeeded());
  EXPECT_THROW(run_process({"no-such-program-deferlab"}, nullptr, nullptr), Error);
  EXPECT_THROW(run_process({"/nonexistent/program"}, nullptr, nullptr), Error);
}

// An interrupt is process-wide and sticky: each test of it runs in a child process.
TEST(SubprocessDeathTest, AnInterruptStopsTheChildAndIsReturnedWhenAsked) {
  EXPECT_EXIT(
      {
        prepare_interrupts();
        std::thread interrupter([] {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          request_interrupt(SIGINT);
        });
        ProcessOptions options;
        options.return_when_interrupted = true;
        const auto start = Clock::now();
        const ExitStatus status = run_process({"/bin/sleep", "30"}, nullptr, nullptr, options);
        interrupter.join();
        const bool ok = status.interrupted_by == SIGINT && status.signal == SIGINT &&
                        seconds_since(start) < 5.0 && status.describe() == "was stopped by SIGINT";
        std::_Exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(SubprocessDeathTest, AnInterruptIsThrownOtherwiseAndNoNewChildStarts) {
  EXPECT_EXIT(
      {
        prepare_interrupts();
        std::thread interrupter([] {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          request_interrupt(SIGTERM);
        });
        bool thrown = false;
        try {
          run_process({"/bin/sleep", "30"}, nullptr, nullptr);
        } catch (const Interrupted& e) {
          thrown = e.signal() == SIGTERM;
        }
        interrupter.join();
        bool refused = false;
        try {
          run_process({"/bin/true"}, nullptr, nullptr);
        } catch (const Interrupted&) {
          refused = true;
        }
        std::_Exit(thrown && refused ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace deferlab
